"""The `chatdigest` command. Each command parses its arguments and calls one library function.

Exit codes: 0 ok, 1 problems found (check, --strict), 2 bad usage or unreadable input.
User mistakes are reported one line per problem, never as a traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console

from .errors import ChatdigestError, ProblemsFound

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The community site's folder (holds mkdocs.yml and data/).",
)


def reports_errors(command):
    """Turn chatdigest's own exceptions into plain messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ProblemsFound as exc:
            for problem in exc.problems:
                err.print(str(problem), markup=False)
            noun = "problem" if len(exc.problems) == 1 else "problems"
            err.print(f"{len(exc.problems)} {noun} found", markup=False)
            sys.exit(exc.exit_code)
        except ChatdigestError as exc:
            err.print(f"error: {exc}", markup=False)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatdigest")
def main() -> None:
    """chatdigest: archive a community's weekly chats as a searchable site."""


@main.command()
@root_option
@reports_errors
def check(root: Path) -> None:
    """Validate data/ and list every problem as FILE:LINE: message.

    Example: chatdigest check --root my-community
    """
    from .config import read_archive

    archive = read_archive(root, exit_code=1)
    messages = sum(len(e.messages) for e in archive.episodes)
    out.print(f"data/ is valid: {len(archive.episodes)} episodes, {messages} messages, {len(archive.people)} people")


@main.command()
@root_option
@reports_errors
def generate(root: Path) -> None:
    """Write the archive's Markdown pages from data/ into docs/.

    Example: chatdigest generate
    """
    from .generate import generate_site

    report = generate_site(root)
    out.print(report.summary())


@main.command()
@root_option
@click.option("--strict", is_flag=True, help="Treat MkDocs warnings as errors (exit 1).")
@reports_errors
def build(root: Path, strict: bool) -> None:
    """Generate pages, then build the site into site/ with MkDocs.

    Example: chatdigest build --strict
    """
    from .site import build_site

    site_dir = build_site(root, strict=strict)
    out.print(f"built the site in {site_dir}")


@main.command()
@root_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@reports_errors
def serve(root: Path, dev_addr: str) -> None:
    """Serve the site with live reload; edits to data/ rebuild the pages.

    Example: chatdigest serve
    """
    from .site import serve_site

    serve_site(root, dev_addr=dev_addr)


if __name__ == "__main__":  # pragma: no cover
    main()
