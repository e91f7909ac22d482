"""`chatdigest init`: a new community site that checks and builds strictly right away, with a CI
workflow that runs the right commands and a scaffold that stays in step with the repository."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from mkdocs.utils.yaml import yaml_load

from generator.archive.read import read_archive
from generator.cli import main
from generator.init import InitOptions, init_site
from generator.render import urls

REPO = Path(__file__).parent.parent
NOW = dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def new_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init") / "careerclub"
    result = run("init", str(root), "--name", "Career Club", "--platform", "x", "--timezone", "America/New_York")
    assert result.exit_code == 0, result.output
    return root


def test_init_then_check_then_strict_build(tmp_path: Path):
    root = tmp_path / "new"
    assert (
        run(
            "init",
            str(root),
            "--name",
            "Night Owls",
            "--hashtag",
            "owls",
            "--timezone",
            "Europe/Berlin",
            "--weekday",
            "tuesday",
            "--time",
            "21:30",
        ).exit_code
        == 0
    )
    check = run("check", "--root", str(root))
    assert check.exit_code == 0, check.output
    # A strict build where the site is published, as the scaffold's workflow does it: with the
    # default local site_url a strict build stops on the warning about it.
    local = run("build", "--strict", "--root", str(root))
    assert local.exit_code == 1 and "a local address" in local.output, local.output
    build = CliRunner().invoke(main, ["build", "--strict", "--root", str(root)], env={"SITE_URL": "https://owls.example/"})
    assert build.exit_code == 0, build.output
    episode = next((root / "data" / "episodes").iterdir()).name
    assert (root / "site" / "episodes" / episode / "index.html").is_file()
    assert "Night Owls" in (root / "site" / "index.html").read_text(encoding="utf-8")


def test_files_of_a_new_site(new_site: Path):
    files = {p.relative_to(new_site).as_posix() for p in new_site.rglob("*") if p.is_file()}
    for expected in (
        "mkdocs.yml",
        "README.md",
        ".gitignore",
        "data/community.yml",
        "data/people.yml",
        "data/privacy.yml",
        "docs/about.md",
        ".github/workflows/site.yml",
        ".github/pull_request_template.md",
    ):
        assert expected in files
    assert len([f for f in files if f.endswith("/episode.yml")]) == 1
    assert not [f for f in files if f.startswith(("generator/", "tests/")) or f.endswith((".tmpl", ".py"))]
    assert not [f for f in files if "/dot-" in f or f.startswith("dot-")]


def test_options_reach_the_data(new_site: Path):
    community = read_archive(new_site).community
    assert (community.name, community.hashtags, community.platforms) == ("Career Club", ["#CareerClub"], ["x"])
    assert community.schedule.timezone == "America/New_York"


@pytest.mark.parametrize(
    "timezone,weekday,time",
    [("Australia/Sydney", "monday", "08:30"), ("America/Los_Angeles", "sunday", "23:45"), ("UTC", "friday", "00:00")],
)
def test_example_episode_is_on_the_schedule(tmp_path: Path, timezone: str, weekday: str, time: str):
    # check would report an off-schedule example; the date is the last chat before `now`.
    init_site(tmp_path / "s", InitOptions(timezone=timezone, weekday=weekday, time=time, now=NOW))
    assert run("check", "--root", str(tmp_path / "s")).exit_code == 0
    episode = read_archive(tmp_path / "s").episodes[0].episode
    assert NOW - dt.timedelta(days=7) < episode.starts_at <= NOW


def test_names_that_need_quoting(tmp_path: Path):
    name = 'Chat: "#1" — ünïcode & <b>'
    assert run("init", str(tmp_path / "s"), "--name", name, "--hashtag", "#One").exit_code == 0
    community = read_archive(tmp_path / "s").community
    assert community.name == name and community.hashtags == ["#One"]
    assert yaml_load((tmp_path / "s" / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"] == f"{name} archive"


def test_init_is_deterministic(tmp_path: Path):
    options = InitOptions(name="Same", now=NOW)
    init_site(tmp_path / "a", options)
    init_site(tmp_path / "b", options)
    read = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert read(tmp_path / "a") == read(tmp_path / "b")


def test_refuses_a_non_empty_folder(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2
    assert "folder is not empty" in result.output and str(tmp_path) in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_refuses_a_file(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    result = run("init", str(tmp_path / "file"))
    assert result.exit_code == 2 and "is a file" in result.output


def test_init_into_an_empty_folder(tmp_path: Path):
    assert run("init", str(tmp_path)).exit_code == 0
    assert read_archive(tmp_path).community.name == tmp_path.name


@pytest.mark.parametrize(
    "args,message",
    [
        (["--timezone", "Mars/Olympus"], "--timezone: unknown timezone 'Mars/Olympus'"),
        (["--time", "7pm"], "--time: String should match pattern"),
        (["--weekday", "someday"], "Invalid value for '--weekday'"),
        (["--platform", "myspace"], "Invalid value for '--platform'"),
    ],
)
def test_bad_options_are_one_clear_error(tmp_path: Path, args: list[str], message: str):
    result = run("init", str(tmp_path / "s"), *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s").exists()


# --- the workflow and the pull request template ------------------------------------------------


def _workflow(site: Path) -> dict:
    return yaml.safe_load((site / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))


def _runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_workflow_checks_pull_requests(new_site: Path):
    workflow = _workflow(new_site)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    check = workflow["jobs"]["check"]
    assert "pull_request" in check["if"]
    assert _runs(check) == ['pip install "$CHATDIGEST"', "chatdigest check --format github", "chatdigest build --strict"]


def test_workflow_deploys_main_to_pages(new_site: Path):
    workflow = _workflow(new_site)
    deploy = workflow["jobs"]["deploy"]
    assert "!= 'pull_request'" in deploy["if"]
    assert _runs(deploy) == ['pip install "$CHATDIGEST"', "chatdigest build --strict"]
    assert _uses(deploy)[-2:] == ["actions/upload-pages-artifact", "actions/deploy-pages"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert next(s for s in deploy["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))["with"]["path"] == "site"


def test_workflow_install_spec_is_one_variable(new_site: Path):
    workflow = _workflow(new_site)
    assert workflow["env"]["CHATDIGEST"] == "chatdigest"
    installs = [run for job in workflow["jobs"].values() for run in _runs(job) if "pip" in run]
    assert installs == ['pip install "$CHATDIGEST"'] * 2


def test_pull_request_template_is_a_checklist(new_site: Path):
    text = (new_site / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert text.count("- [ ]") >= 6
    for command in ("chatdigest check", "chatdigest import", "chatdigest redact", "privacy.yml"):
        assert command in text


def test_editor_readme_explains_the_week(new_site: Path):
    text = (new_site / "README.md").read_text(encoding="utf-8")
    week = text.split("## How to run a week", 1)[1]
    steps = ["chatdigest new", "chatdigest previews", "chatdigest import", "chatdigest highlights --suggest", "chatdigest check"]
    assert [week.index(step) for step in steps] == sorted(week.index(step) for step in steps)


# --- the scaffold stays in step with the repository's own site ---------------------------------


def test_mkdocs_yml_matches_the_repository(new_site: Path):
    ours = yaml_load((new_site / "mkdocs.yml").read_text(encoding="utf-8"))
    repo = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    for key in ("markdown_extensions", "not_in_nav", "plugins", "extra_css", "validation"):
        assert ours.get(key) == repo.get(key), key
    assert ours["theme"]["name"] == "material" and ours["theme"].get("custom_dir") == repo["theme"].get("custom_dir")
    assert "chatdigest" in ours["plugins"]


def test_gitignore_covers_generated_output(new_site: Path):
    ours = set((new_site / ".gitignore").read_text(encoding="utf-8").splitlines())
    repo_generated = {
        line for line in (REPO / ".gitignore").read_text().splitlines() if line.startswith("/") and not line.startswith(("/tests/", "!"))
    }
    assert repo_generated <= ours
    assert {f"/docs/{d}/" for d in urls.GENERATED_DIRS} | {f"/docs/{f}" for f in urls.GENERATED_FILES} <= ours


def test_new_site_needs_no_theme_files(new_site: Path):
    # chatdigest's templates and styles come with the package (generator/theme), not the site.
    assert not (new_site / "overrides").exists() and not (new_site / "docs" / "assets").exists()


def test_new_site_has_the_privacy_page(new_site: Path):
    # The demo's privacy page is the template every new site starts from.
    assert (new_site / "docs" / "privacy.md").read_text(encoding="utf-8") == (REPO / "docs" / "privacy.md").read_text(encoding="utf-8")
