"""`chatdigest bench`: measure chatdigest against plain mkdocs-material on the same messages.

One run synthesises a community of N weekly chats × M messages (seeded), then times, each in its
own process so peak memory is per step:

  generate      data/ → docs/
  cold build    `chatdigest build` from nothing (no docs, no site, no cache)
  warm rebuild  `chatdigest build` again after adding one new chat
  no change     `chatdigest build` once more, nothing changed
  serve reload  `chatdigest serve` running, one chat's episode.yml edited: seconds until the
                served page shows the edit (what a browser reloaded by the server then sees)
  baseline      the same messages as plain Markdown pages in one flat folder, built by plain
                mkdocs-material with its built-in (lunr) search — the naive way

Ratios are against the baseline of the same run, so the figures compare like with like on
whatever machine runs them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from generator.archive.model import Episode, Message
from generator.archive.write import render_episode_yml, render_transcript
from generator.bench.synth import Participant, invent_participants, synthesise_episode_messages
from generator.errors import ChatdigestError
from generator.writer import write_atomic

TIMEZONE = "America/New_York"
# Early March, so that the chat the warm step adds falls in the same year as the last one for
# both 52 and 520 weeks: the common case (a new year changes the nav and forces a full build).
FIRST_CHAT = dt.datetime(2016, 3, 3, 19, 0, tzinfo=ZoneInfo(TIMEZONE))
TOPICS = ["pay", "interviews", "remote work", "mentoring", "burnout", "managers", "career change", "cv", "feedback", "layoffs"]

SITE_CONFIG = {
    "site_name": "Bench chat archive",
    "site_url": "https://bench.example/",
    "theme": {"name": "material", "features": ["navigation.indexes", "navigation.prune", "search.suggest"]},
    "markdown_extensions": ["tables", "attr_list", "sane_lists", {"toc": {"permalink": True}}],
    "not_in_nav": "/episodes/\n/people/\n/topics/\n",
}


@dataclass
class Step:
    seconds: float
    peak_rss_mb: float
    cpu_s: float = 0.0  # user + system, the step's process and the processes it waited for


@dataclass
class Figures:
    weeks: int
    messages: int
    generate_s: float
    cold_build_s: float
    warm_rebuild_s: float
    baseline_s: float
    peak_rss_mb: float
    baseline_peak_rss_mb: float
    site_bytes: int
    baseline_site_bytes: int
    page_html_bytes: int
    page_article_bytes: int
    search_query_bytes: int
    lunr_index_bytes: int  # Material's lunr index of chatdigest's own pages
    baseline_lunr_index_bytes: int = 0  # the baseline's real search_index.json
    generate_peak_rss_mb: float = 0.0
    cold_peak_rss_mb: float = 0.0
    warm_peak_rss_mb: float = 0.0
    no_change_s: float = 0.0
    no_change_peak_rss_mb: float = 0.0
    serve_reload_s: float = 0.0
    # CPU seconds of each step: on a shared machine they vary far less than wall time.
    cpu_s: dict[str, float] = field(default_factory=dict)


# --- synthesis --------------------------------------------------------------------------------


def write_site_config(root: Path, plugins: list) -> None:
    write_atomic(root / "mkdocs.yml", yaml.safe_dump({**SITE_CONFIG, "plugins": plugins}, sort_keys=False))


def synthesise_community(root: Path, weeks: int, messages: int, seed: int = 2016) -> None:
    """A community of `weeks` chats in root/data, plus mkdocs.yml; deterministic for a seed."""
    rng = random.Random(seed)
    hosts = [Participant("@bench_host", "Bench Host"), Participant("@co_host", "Co Host")]
    crowd = invent_participants(rng, 400, taken=[h.handle for h in hosts])
    community = {
        "name": "BenchChat",
        "description": "A synthetic weekly chat for benchmarking.",
        "hashtags": ["#BenchChat"],
        "platforms": ["x", "mastodon"],
        "schedule": {"weekday": "thursday", "time": "19:00", "timezone": TIMEZONE, "duration_minutes": 60},
    }
    people = {
        "people": [
            {"id": "bench-host", "name": "Bench Host", "role": "host", "handles": {"x": "@bench_host"}},
            {"id": "co-host", "name": "Co Host", "role": "host", "handles": {"x": "@co_host"}},
            *({"id": f"regular-{i}", "name": p.name or p.handle, "handles": {p.platform: p.handle}} for i, p in enumerate(crowd[:40])),
        ]
    }
    write_atomic(root / "data" / "community.yml", yaml.safe_dump(community, sort_keys=False))
    write_atomic(root / "data" / "people.yml", yaml.safe_dump(people, sort_keys=False, allow_unicode=True))
    write_atomic(root / "data" / "privacy.yml", yaml.safe_dump(bench_optouts(crowd), sort_keys=False, allow_unicode=True))
    write_site_config(root, ["chatdigest"])
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for week in range(weeks):
        write_episode(root, week, messages, rng, hosts, crowd)


def bench_optouts(crowd) -> dict:
    """A handful of opt-outs, as a real community has: two people removed and one anonymised,
    all regulars, so every build redacts many chats."""
    chosen = crowd[:3]
    modes = ["remove", "remove", "anonymise"]
    return {
        "optouts": [{"handle": p.handle, "mode": mode, "since": "2020-01-01", "reason": "asked to leave"} for p, mode in zip(chosen, modes)]
    }


def write_episode(root: Path, week: int, messages: int, rng: random.Random, hosts, crowd) -> None:
    starts_at = _chat_time(week)
    topic = TOPICS[week % len(TOPICS)]
    questions = [f"Q{i}: What is your experience with {topic}, part {i}?" for i in range(1, 6)]
    attendees = rng.sample(crowd, min(len(crowd), max(10, messages // 4)))
    chat = synthesise_episode_messages(
        rng, starts_at=starts_at, questions=questions, hosts=hosts, participants=attendees, count=messages, hashtag="BenchChat"
    )
    episode_id = f"{starts_at.date().isoformat()}-{topic.replace(' ', '-')}-{week}"
    episode = Episode(
        id=episode_id,
        title=f"{topic.capitalize()}, week {week + 1}",
        starts_at=starts_at,
        tags=[topic],
        hosts=["bench-host"],
        questions=questions,
        summary=f"We talked about {topic}.",
        highlights=[m.id for m in chat if m.text.startswith("A1")][:3],
    )
    folder = root / "data" / "episodes" / episode_id
    write_atomic(folder / "episode.yml", render_episode_yml(episode))
    write_atomic(folder / "transcript.jsonl", render_transcript(chat))


def _chat_time(week: int) -> dt.datetime:
    # Add calendar weeks in local time, so 19:00 stays 19:00 across daylight saving changes.
    local = FIRST_CHAT.replace(tzinfo=None) + dt.timedelta(weeks=week)
    return local.replace(tzinfo=ZoneInfo(TIMEZONE))


def write_baseline(source: Path, target: Path) -> None:
    """The naive archive: every chat one Markdown page of its messages, one flat folder."""
    (target / "docs").mkdir(parents=True)
    index = ["# Bench chat archive\n"]
    for folder in sorted((source / "data" / "episodes").iterdir()):
        episode = yaml.safe_load((folder / "episode.yml").read_text())
        lines = [f"# {episode['title']}\n"]
        for line in (folder / "transcript.jsonl").read_text().splitlines():
            m = Message.model_validate_json(line)
            lines.append(f"**{m.author}** {m.at:%H:%M}: {m.text}\n")
        (target / "docs" / f"{folder.name}.md").write_text("\n".join(lines))
        index.append(f"- [{episode['title']}]({folder.name}.md)")
    (target / "docs" / "index.md").write_text("\n".join(index) + "\n")
    write_atomic(target / "mkdocs.yml", yaml.safe_dump({"site_name": "Baseline", "theme": {"name": "material"}, "plugins": ["search"]}))


# --- measuring ----------------------------------------------------------------------------------


_SYNTHESISE = """
import sys
from pathlib import Path
from generator.bench.benchmark import synthesise_community, write_baseline
site, base, weeks, messages = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
synthesise_community(site, weeks, messages)
write_baseline(site, base)
"""


_LUNR_BYTES = """
import sys
from pathlib import Path
from generator.bench.searchcost import lunr_index_bytes
print(lunr_index_bytes(Path(sys.argv[1])))
"""


def _child_output(program: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", program, *args], check=True, capture_output=True, text=True).stdout.strip()


def run_step(command: list[str], cwd: Path) -> Step:
    """Run one step in its own process; its wall time and peak resident memory."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise ChatdigestError(f"{' '.join(command)} failed with exit code {process.returncode}:\n{stderr[-2000:]}")
    return Step(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # Linux reports kilobytes


def chatdigest(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator.cli", *args]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


_ARTICLE = re.compile(rb"<article\b.*?</article>", re.S)


def largest_page(site: Path) -> tuple[int, int]:
    """(HTML bytes, article bytes) of the largest episode page."""
    pages = list((site / "episodes").rglob("index.html")) or list(site.rglob("*.html"))
    page = max(pages, key=lambda p: p.stat().st_size)
    html = page.read_bytes()
    match = _ARTICLE.search(html)
    return len(html), len(match.group(0)) if match else 0


def search_query_bytes(site: Path) -> int:
    """Bytes a reader's browser fetches for one query (0 when the site has no chunked index)."""
    from generator.bench.searchcost import query_bytes
    from generator.search.index import BUNDLE_DIR

    if not (site / BUNDLE_DIR / "meta.json").is_file():
        return 0
    return query_bytes(site)


def run_bench(weeks: int, messages: int, progress=None, keep: Path | None = None) -> Figures:
    work = Path(tempfile.mkdtemp(prefix="chatdigest-bench-")) if keep is None else keep
    site_root, base_root = work / "community", work / "baseline"
    work.mkdir(parents=True, exist_ok=True)

    def tick(label: str):
        if progress:
            progress(label)

    try:
        tick(f"synthesising {weeks} chats × {messages} messages")
        # In a process of its own: a step's peak memory counts what its process held before it
        # started the step's program, and the synthesis would make this one big.
        run_step([sys.executable, "-c", _SYNTHESISE, str(site_root), str(base_root), str(weeks), str(messages)], work)
        tick("generate")
        generate = run_step(chatdigest("generate", "--root", "."), site_root)
        _clear_output(site_root)
        tick("cold build")
        cold = run_step(chatdigest("build", "--root", "."), site_root)
        site_bytes = folder_bytes(site_root / "site")
        page_html, page_article = largest_page(site_root / "site")
        query = search_query_bytes(site_root / "site")
        # The lunr index Material would ship for these very pages (the yardstick), and
        # the one the naive baseline really ships (plain text pages: smaller). Measured in a
        # process of its own, like the synthesis, so this one stays small.
        lunr_same_pages = int(_child_output(_LUNR_BYTES, str(site_root / "site")))
        tick("warm rebuild after one new chat")
        rng = random.Random(weeks)
        write_episode(site_root, weeks, messages, rng, [Participant("@bench_host", "Bench Host")], invent_participants(rng, 200))
        warm = run_step(chatdigest("build", "--root", "."), site_root)
        tick("rebuild with nothing changed")
        unchanged = run_step(chatdigest("build", "--root", "."), site_root)
        tick("serve: reload after editing one chat")
        reload_s, reload_cpu_s = serve_reload_seconds(site_root)
        tick("baseline: plain mkdocs-material")
        baseline = run_step([sys.executable, "-m", "mkdocs", "build", "-q"], base_root)
        lunr = base_root / "site" / "search" / "search_index.json"
        return Figures(
            weeks=weeks,
            messages=messages,
            generate_s=round(generate.seconds, 2),
            cold_build_s=round(cold.seconds, 2),
            warm_rebuild_s=round(warm.seconds, 2),
            baseline_s=round(baseline.seconds, 2),
            peak_rss_mb=round(max(generate.peak_rss_mb, cold.peak_rss_mb, warm.peak_rss_mb, unchanged.peak_rss_mb), 1),
            baseline_peak_rss_mb=round(baseline.peak_rss_mb, 1),
            site_bytes=site_bytes,
            baseline_site_bytes=folder_bytes(base_root / "site"),
            page_html_bytes=page_html,
            page_article_bytes=page_article,
            search_query_bytes=query,
            lunr_index_bytes=lunr_same_pages,
            baseline_lunr_index_bytes=lunr.stat().st_size if lunr.exists() else 0,
            generate_peak_rss_mb=round(generate.peak_rss_mb, 1),
            cold_peak_rss_mb=round(cold.peak_rss_mb, 1),
            warm_peak_rss_mb=round(warm.peak_rss_mb, 1),
            no_change_s=round(unchanged.seconds, 2),
            no_change_peak_rss_mb=round(unchanged.peak_rss_mb, 1),
            serve_reload_s=round(reload_s, 2),
            cpu_s={
                name: round(step.cpu_s, 2)
                for name, step in (("generate", generate), ("cold", cold), ("warm", warm), ("no_change", unchanged), ("baseline", baseline))
            }
            | {"serve_reload": round(reload_cpu_s, 2)},
        )
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def serve_reload_seconds(root: Path, timeout: float = 600.0) -> tuple[float, float]:
    """Start `chatdigest serve`, wait for its first build, retitle one chat in its episode.yml
    and time until the served chat page carries the new title: (seconds, the server's CPU
    seconds meanwhile)."""
    folder = sorted((root / "data" / "episodes").iterdir())[-2]  # a published chat with neighbours
    page = f"episodes/{folder.name}/"
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        chatdigest("serve", "--root", ".", "--dev-addr", address), cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        url = f"http://{address}/{page}"
        _wait_for(url, lambda html: True, server, timeout)
        time.sleep(1.0)  # let the server start watching
        episode_yml = folder / "episode.yml"
        text = episode_yml.read_text(encoding="utf-8")
        marker = f"Retitled while serving {time.time_ns()}"  # unlike any earlier run's
        cpu_before = _cpu_seconds(server.pid)
        started = time.perf_counter()
        write_atomic(episode_yml, re.sub(r"(?m)^title: .*$", f"title: {marker}", text, count=1))
        _wait_for(url, lambda html: marker in html, server, timeout)
        return time.perf_counter() - started, _cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for(url: str, ready, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise ChatdigestError(
                f"chatdigest serve stopped (exit code {server.returncode}):\n{server.stderr.read().decode(errors='replace')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if ready(response.read().decode("utf-8", "replace")):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.01)
    raise ChatdigestError(f"chatdigest serve: {url} not as expected within {timeout:.0f} s")


def _clear_output(root: Path) -> None:
    """Back to a fresh clone: no generated pages, no site, no cache."""
    for name in ("site", ".cache"):
        shutil.rmtree(root / name, ignore_errors=True)
    for name in ("episodes", "people", "topics", "archive", "upcoming"):
        shutil.rmtree(root / "docs" / name, ignore_errors=True)
    (root / "docs" / "index.md").unlink(missing_ok=True)


def write_figures(path: Path, figures: Figures) -> None:
    write_atomic(path, json.dumps(asdict(figures), indent=2) + "\n")


def render_table(figures: Figures):
    """A rich table: seconds, ratio to the baseline, peak memory, sizes."""
    from rich.table import Table

    base = figures.baseline_s or 1.0
    table = Table(title=f"chatdigest bench: {figures.weeks} chats × {figures.messages} messages")
    for column in ("step", "seconds", "× baseline", "CPU s", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "step" else "right")
    cpu = figures.cpu_s
    rows = [
        ("generate", figures.generate_s, cpu.get("generate"), figures.generate_peak_rss_mb),
        ("cold build", figures.cold_build_s, cpu.get("cold"), figures.cold_peak_rss_mb),
        ("warm rebuild (+1 chat)", figures.warm_rebuild_s, cpu.get("warm"), figures.warm_peak_rss_mb),
        ("rebuild, nothing changed", figures.no_change_s, cpu.get("no_change"), figures.no_change_peak_rss_mb),
        ("serve reload (one episode.yml edited)", figures.serve_reload_s, cpu.get("serve_reload"), None),
        ("baseline mkdocs-material", figures.baseline_s, cpu.get("baseline"), figures.baseline_peak_rss_mb),
    ]
    for label, seconds, cpu_s, rss in rows:
        table.add_row(
            label, f"{seconds:.2f}", f"{seconds / base:.2f}", "" if cpu_s is None else f"{cpu_s:.2f}", "" if rss is None else f"{rss:.0f}"
        )
    mb = 1024 * 1024
    table.add_section()
    table.add_row(
        "site size MB", f"{figures.site_bytes / mb:.1f}", f"{figures.site_bytes / max(figures.baseline_site_bytes, 1):.2f}", "", ""
    )
    table.add_row(
        "largest chat page: HTML / article KB",
        f"{figures.page_html_bytes / 1024:.0f} / {figures.page_article_bytes / 1024:.0f}",
        f"{figures.page_html_bytes / max(figures.page_article_bytes, 1):.2f}×",
        "",
        "",
    )
    table.add_row(
        "search bytes per query / lunr index of the same pages KB",
        f"{figures.search_query_bytes / 1024:.0f} / {figures.lunr_index_bytes / 1024:.0f}",
        f"{figures.search_query_bytes / max(figures.lunr_index_bytes, 1):.3f}",
        "",
        "",
    )
    table.add_row("baseline's lunr index KB", f"{figures.baseline_lunr_index_bytes / 1024:.0f}", "", "", "")
    return table
