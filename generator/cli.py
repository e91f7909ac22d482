"""The `chatdigest` command. Each command parses its arguments and calls one library function.

Exit codes: 0 ok, 1 problems found (check, --strict), 2 bad usage or unreadable input.
User mistakes are reported one line per problem, never as a traceback.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import click
from rich.console import Console

from generator.errors import ChatdigestError, ProblemsFound, printable
from generator.progress import PhaseProgress

# Text from data is printed as it is: no rich markup ("[bold]"), no emoji codes (":100:" in
# "transcript.jsonl:100:"), no highlighting; and through `printable`, so no escape sequence acts.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


class LazyChoice(click.Choice):
    """A choice among names that a module defines, imported only when the option is used or its
    help shown: `chatdigest build` that finds nothing changed should not import the model."""

    def __init__(self, module: str, name: str, case_sensitive: bool = True):
        self.module, self.name, self.case_sensitive = module, name, case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self.module), self.name))


def say(console: Console, text: str, **options) -> None:
    """Print lines that may quote data: controls are shown escaped; the lines' own breaks stay."""
    console.print(printable(text, keep_newlines=True), markup=False, emoji=False, highlight=False, **options)


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
                say(err, str(problem))
            for warning in exc.warnings:
                say(err, f"warning: {warning}")
            noun = "problem" if len(exc.problems) == 1 else "problems"
            err.print(f"{len(exc.problems)} {noun} found", markup=False)
            sys.exit(exc.exit_code)
        except ChatdigestError as exc:
            say(err, f"error: {printable(str(exc))}")
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatdigest")
def main() -> None:
    """chatdigest: archive a community's weekly chats as a searchable site."""


@main.command()
@root_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: also print GitHub Actions annotations, so problems show on the pull request's lines.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (a chat off the schedule that says nothing about it) as problems.")
@reports_errors
def check(root: Path, output_format: str, strict: bool) -> None:
    """Validate data/ and list every problem as FILE:LINE: message; exit 1 if any.

    Warnings are printed too and do not fail the check, unless --strict.

    Example: chatdigest check --root my-community --format github
    """
    from generator.archive.checks import check_site, render_github

    try:
        result = check_site(root, strict=strict)
    except ProblemsFound as exc:
        if output_format == "github":  # stdout, where the runner reads commands
            click.echo("\n".join(filter(None, (render_github(exc.problems, root), render_github(exc.warnings, root, level="warning")))))
        raise
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    if output_format == "github" and result.warnings:
        click.echo(render_github(result.warnings, root, level="warning"))
    archive = result.archive
    messages = sum(len(e.messages) for e in archive.episodes)
    noun = "warning" if len(result.warnings) == 1 else "warnings"
    warned = f", {len(result.warnings)} {noun}" if result.warnings else ""
    out.print(f"data/ is valid: {len(archive.episodes)} episodes, {messages} messages, {len(archive.people)} people{warned}")


@main.command()
@root_option
@reports_errors
def generate(root: Path) -> None:
    """Write the archive's Markdown pages from data/ into docs/.

    Example: chatdigest generate
    """
    from generator.build.generate import generate_site
    from generator.build.lock import build_lock

    with build_lock(root, lambda message: say(err, message)), PhaseProgress(err) as progress:
        report = generate_site(root, progress=progress, parallel=True)
    say(out, report.summary())


@main.command()
@root_option
@click.option("--strict", is_flag=True, help="Treat MkDocs warnings as errors (exit 1).")
@reports_errors
def build(root: Path, strict: bool) -> None:
    """Generate pages, then build the site into site/ with MkDocs.

    Example: chatdigest build --strict
    """
    from generator.build.commands import build_site

    with PhaseProgress(err) as progress:
        site_dir = build_site(root, strict=strict, progress=progress)
    out.print(f"built the site in {site_dir}")


@main.command()
@root_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@reports_errors
def serve(root: Path, dev_addr: str) -> None:
    """Serve the site with live reload; edits to data/ rebuild the pages.

    Example: chatdigest serve
    """
    from generator.build.commands import serve_site

    serve_site(root, dev_addr=dev_addr)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--episode", "episode", required=True, help="Episode folder name (YYYY-MM-DD-slug) or date (YYYY-MM-DD); created if missing.")
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    help="auto, x-archive, x-api, tags-csv, mastodon, slack, discord, telegram, whatsapp, irc, zulip, csv, jsonl.",
)
@click.option("--channel", help="Slack channel, Telegram chat, Discord channel or Zulip stream to keep.")
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Day of an IRC log whose lines and file name carry no date.")
@click.option(
    "--date-order",
    type=click.Choice(["auto", "dmy", "mdy"]),
    default="auto",
    show_default=True,
    help="WhatsApp: day or month first when the file cannot tell.",
)
@click.option("--margin", type=int, default=30, show_default=True, help="Minutes kept before the start and after the end of the chat.")
@click.option("--all", "keep_all", is_flag=True, help="Keep every message of the export (no window, no hashtag filter).")
@click.option("--hashtag", "hashtags", multiple=True, help="Hashtag of the chat (X, Mastodon); default: community.yml's hashtags.")
@click.option("--no-hashtag-filter", is_flag=True, help="Keep every message in the window, with or without the hashtag.")
@click.option("--add-people", is_flag=True, help="Add authors missing from data/people.yml to it.")
@click.option(
    "--include-private",
    "include_private",
    multiple=True,
    metavar="NAME",
    help="Import this private chat (DM, group DM, private channel or group, saved messages) or protected X account, "
    "by name, id or handle, as the refusal names it; only when everyone in it agreed. Repeat for several.",
)
@click.option("--include-unlisted", is_flag=True, help="Mastodon: also import unlisted posts (followers-only and direct never are).")
@click.option(
    "--replace",
    is_flag=True,
    help="First drop the messages an earlier import in the same format put into the chat (undoes a wrong import).",
)
@root_option
@reports_errors
def import_(
    path: Path,
    episode: str,
    fmt: str,
    channel,
    date,
    date_order: str,
    margin: int,
    keep_all: bool,
    hashtags,
    no_hashtag_filter: bool,
    add_people: bool,
    include_private: tuple[str, ...],
    include_unlisted: bool,
    replace: bool,
    root: Path,
) -> None:
    """Import a chat export into an episode's transcript in data/.

    Example: chatdigest import slack-export.zip --episode 2026-01-08 --channel careerclub
    """
    from generator.ingest.importing import ImportRequest, import_chat

    request = ImportRequest(
        root=root,
        path=path,
        episode=episode,
        format=fmt,
        channel=channel,
        date=date.date() if date else None,
        date_order=date_order,
        margin_minutes=margin,
        keep_all=keep_all,
        hashtags=tuple(hashtags),
        hashtag_filter=not no_hashtag_filter,
        add_people=add_people,
        include_private=tuple(include_private),
        include_unlisted=include_unlisted,
        replace=replace,
    )
    with PhaseProgress(err) as progress:
        report = import_chat(request, progress)
    for line in report.lines():
        say(err if line.startswith("warning:") else out, printable(line))


@main.command()
@click.argument("handle")
@click.option("--reason", default="", help="Why (for the editors; not published).")
@click.option(
    "--mode",
    type=click.Choice(["remove", "anonymise"]),
    default="remove",
    show_default=True,
    help="remove: drop their messages; anonymise: keep them without their name.",
)
@click.option(
    "--purge",
    is_flag=True,
    help="Also delete their messages and mentions from data/, take them out of people.yml, and say how to purge git history.",
)
@click.option(
    "--yes", is_flag=True, help="With --purge: also replace a one-word name of theirs in other people's words (listed without it)."
)
@click.option(
    "--ahead", is_flag=True, help="Record it for someone who has not posted yet (a handle that matches no one is refused otherwise)."
)
@root_option
@reports_errors
def redact(handle: str, reason: str, mode: str, purge: bool, yes: bool, ahead: bool, root: Path) -> None:
    """Record an opt-out in data/privacy.yml; every build then leaves the person out.

    HANDLE is a handle as the platform shows it, a person id, or a name from people.yml.

    Example: chatdigest redact @gone_gary --reason "asked by email" --purge
    """
    from generator.archive.redact import redact as record_optout

    say(out, record_optout(root, handle, reason=reason, mode=mode, purge=purge, ahead=ahead, yes=yes).summary())


@main.command()
@root_option
@click.option("--suggest", "episode", required=True, metavar="EPISODE", help="Episode folder name or date (YYYY-MM-DD).")
@click.option("--limit", default=8, show_default=True, help="How many candidates to list.")
@reports_errors
def highlights(root: Path, episode: str, limit: int) -> None:
    """Suggest highlights for an episode: answers most replied to, most liked, and first-timers'.

    Prints a snippet to copy into the episode's episode.yml.

    Example: chatdigest highlights --suggest 2026-09-10
    """
    from generator.digest.highlights import render_suggestions

    say(out, render_suggestions(root, episode, limit), end="")


@main.command()
@click.argument("feeds", nargs=-1, metavar="[FEED ...]")
@root_option
@reports_errors
def previews(feeds: tuple[str, ...], root: Path) -> None:
    """Attach preview and recap posts (feed URL or file) to episodes in data/.

    Default: the feeds listed in data/community.yml. A preview for a week with no episode
    creates it as upcoming; preview.md or questions the editor changed are never overwritten.

    Example: chatdigest previews https://blog.example.org/feed.xml
    """
    from generator.ingest.previews import import_previews

    report = import_previews(root, feeds)
    for line in report.lines():
        say(err if line.startswith("warning:") else out, printable(line))
    report.raise_for_errors()


@main.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the chat (YYYY-MM-DD); default: the next free week of the schedule.",
)
@click.option("--title", default=None, help='The chat\'s topic; default: "Topic to be announced".')
@root_option
@reports_errors
def new(day, title: str | None, root: Path) -> None:
    """Scaffold the next episode from community.yml's schedule, with status upcoming.

    Example: chatdigest new --date 2026-11-05 --title "Changing careers"
    """
    from generator.ingest.previews import describe_new_episode, scaffold_episode

    say(out, describe_new_episode(root, scaffold_episode(root, day=day.date() if day else None, title=title)))


@main.command()
@click.option(
    "--weeks", default=52, show_default=True, type=click.IntRange(min=2), help="Weekly chats to synthesise (520 is the reference size)."
)
@click.option(
    "--messages", default=150, show_default=True, type=click.IntRange(min=20), help="Messages per chat (300 is the reference size)."
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures as JSON to this file.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Build in this folder and keep it, to inspect.")
@reports_errors
def bench(weeks: int, messages: int, out_file: Path | None, keep: Path | None) -> None:
    """Benchmark against plain mkdocs-material on the same synthetic messages.

    Example: chatdigest bench --weeks 520 --messages 300 --out bench.json
    """
    from generator.bench.benchmark import render_table, run_bench, write_figures

    with err.status("bench: starting") as status:
        figures = run_bench(weeks, messages, progress=lambda label: status.update(f"bench: {label}…"), keep=keep)
    out.print(render_table(figures))
    if out_file:
        write_figures(out_file, figures)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", help="The community's name. Default: the folder's name.")
@click.option("--hashtag", help="The chat's hashtag. Default: the name without spaces.")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=LazyChoice("generator.archive.model", "PLATFORMS"),
    help="Where the chat happens (repeat for several). Default: mastodon.",
)
@click.option("--timezone", default="UTC", show_default=True, help="IANA timezone of the schedule, e.g. America/New_York.")
@click.option(
    "--weekday",
    default="thursday",
    show_default=True,
    type=LazyChoice("generator.archive.schedule", "WEEKDAYS", case_sensitive=False),
    help="Day of the weekly chat.",
)
@click.option("--time", "time_", default="19:00", show_default=True, help="Local start time, HH:MM.")
@reports_errors
def init(directory: Path, name, hashtag, platforms, timezone: str, weekday: str, time_: str) -> None:
    """Create a new community site in DIRECTORY (missing or empty): data/, docs/, mkdocs.yml, CI.

    Example: chatdigest init careerclub --name CareerClub --platform x --timezone America/New_York
    """
    from generator.init import InitOptions, init_site

    options = InitOptions(name=name, hashtag=hashtag, platforms=platforms, timezone=timezone, weekday=weekday.lower(), time=time_)
    say(out, init_site(directory, options).summary())


if __name__ == "__main__":  # pragma: no cover
    main()
