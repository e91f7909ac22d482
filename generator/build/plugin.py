"""The MkDocs plugin: plain `mkdocs build` and `mkdocs serve` do what `chatdigest build` does.

on_config   generate docs/ from data/ and set the navigation (before MkDocs collects files,
            so the generated pages are part of this very build)
on_startup  note whether MkDocs serves (no post-build jobs then, jobs.py) and whether it builds
            dirty (only changed pages)
on_files    keep an empty Upcoming page out of the nav; count the pages MkDocs will build;
            start indexing for search and writing feeds beside the rendering (site/ is
            emptied by then)
on_page_markdown / on_post_page
            let generated pages' raw HTML blocks skip Markdown (stash.py); feed links in every head
on_page_content / on_post_page
            report progress, a step per page converted and per page rendered
on_env      compile the theme's templates once, not on every build (TemplateCache)
on_post_template  the feed links in 404.html's head too
on_post_build  make what is made from the built site (each step in POST_BUILD_STEPS)
on_serve    watch data/ too, so editing a transcript reloads the browser; and watch docs/ past
            the pages generate writes there, so an edit builds once, not again for those (watch.py)
"""

from __future__ import annotations

import gc
import ipaddress
import logging
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import InclusionLevel

from generator import cache
from generator.build import lock as build_lock
from generator.build.fingerprint import prepare_site_dir, record_finished_build
from generator.build.jobs import Jobs
from generator.build.stash import new_nonce, restore_blocks, stash_blocks
from generator.errors import ChatdigestError, ProblemsFound
from generator.progress import Progress, no_progress
from generator.render.urls import UPCOMING, is_generated

# MkDocs imports this module to load the configuration, also for a `chatdigest build` that
# finds nothing changed and stops there: the generator, search and feeds (the model, pydantic,
# the renderers; a third of that build's time) are imported by the hooks that use them.

log = logging.getLogger("mkdocs.plugins.chatdigest")
THEME_DIR = Path(__file__).parent.parent / "theme"  # search box and styles


class ChatdigestConfig(Config):
    data_dir = c.Type(str, default="data")
    nav = c.Type(bool, default=True)  # set the navigation unless mkdocs.yml has its own
    feeds = c.Type(bool, default=True)  # RSS/Atom/JSON feeds and calendar.ics; need site_url
    feed_items = c.Type(int, default=20)  # the last N published chats in each feed


class ChatdigestPlugin(BasePlugin[ChatdigestConfig]):
    # Set by `chatdigest build` (commands.py) to draw progress; plain `mkdocs build` shows none.
    progress: Progress = staticmethod(no_progress)
    dirty = False  # set by `chatdigest build`: MkDocs then renders only the pages that changed
    serving = False  # set by on_startup (mkdocs build, serve) and by `chatdigest build`

    jobs = Jobs({})  # the work started beside this build's rendering (on_files)
    generated_writes = None  # serving: what generate wrote into docs/ (watch.py)

    def on_startup(self, command, dirty):
        self.serving = command == "serve"
        self.generated_writes = None  # a serve's own, from its on_serve
        self.dirty = dirty  # `mkdocs build --dirty`, `mkdocs serve --dirty`, `chatdigest serve`

    def on_config(self, config):
        self.jobs.close()  # a build that failed before its post-build steps may have left some
        self.root = Path(config.config_file_path).resolve().parent
        # One build of a site at a time; released after the build or when it fails.
        build_lock.acquire(self.root, log.info)
        self.locked = True
        # chatdigest's templates go in front of Material's, behind the site's own custom_dir.
        theme_dirs = config.theme.dirs
        if str(THEME_DIR) not in theme_dirs:
            theme_dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        docs_dir = Path(config.docs_dir)
        self.failure: ChatdigestError | None = None
        self.nonce = new_nonce()
        from generator.build.generate import build_nav, generate_site

        writes = self.generated_writes  # once serving: noted, so the watcher passes over them
        if writes:
            writes.start()
        try:
            report = generate_site(self.root, docs_dir, config.use_directory_urls, self.progress, parallel=not self.serving)
        except BaseException as exc:
            if writes:
                writes.failed()
            if isinstance(exc, ChatdigestError):
                self._fail(exc)
            raise
        if writes:
            writes.generated(report.written, report.removed)
        log.info(report.summary())
        self.site, self.page_keys = report.site, report.page_keys
        if not self.serving:
            _warn_of_local_site_url(config.site_url)
        if self.config.nav and not config.nav:
            config.nav = build_nav(report.site, docs_dir)
        # `chatdigest build` asks MkDocs for a dirty build; empty site/ where that would be inexact.
        prepare_site_dir(config, self.root, bool(report.removed))
        # The model lives until the build ends: kept out of the cycle collector's full scans,
        # which MkDocs' and the search index's many new objects would otherwise set off again
        # and again (each scan walks the whole model), and out of the forked jobs' (jobs.py).
        gc.freeze()
        return config

    def _unlock(self) -> None:
        gc.unfreeze()  # the model is collected as usual once the build lets go of it (serve)
        if getattr(self, "locked", False):
            self.locked = False
            build_lock.release(self.root)

    def on_build_error(self, error):
        self._unlock()

    def _fail(self, exc: ChatdigestError):
        self._unlock()
        # Kept so `chatdigest build` can report the problems itself, one per line; plain
        # `mkdocs build` gets them as a PluginError, without a traceback.
        self.failure = exc
        if isinstance(exc, ProblemsFound):
            raise PluginError("chatdigest: data/ has problems:\n" + "\n".join(str(p) for p in exc.problems)) from None
        raise PluginError(f"chatdigest: {exc}") from None

    def on_files(self, files, config):
        # With no chat scheduled the Upcoming page says so but stays out of the nav; saying so to
        # MkDocs keeps it from reporting the page as missing from the nav on every build.
        upcoming = files.get_file_from_path(UPCOMING)
        if upcoming is not None and self.config.nav and not self.site.upcoming:
            upcoming.inclusion = InclusionLevel.NOT_IN_NAV
        # MkDocs converts each page's Markdown, then renders each into the theme: two steps a page.
        every = files.documentation_pages()
        pages = [f for f in every if not self.dirty or f.is_modified()]
        self.steps, self.done = 2 * len(pages), 0
        if self.dirty:
            log.info(f"building {len(pages)} of {len(every)} pages; the others are as the last build left them")
        # The search index of the chats and the feeds, made beside MkDocs' rendering (jobs.py).
        # The search cache is opened here, so what it discards is logged by the build itself.
        from generator.feeds import write_feeds
        from generator.search.documents import open_chat_cache, write_archive_part_data

        self.search_cache = open_chat_cache(config, self.page_keys, self.site.archive.community.language)
        work = {
            "search": (write_archive_part_data, (self.site, config, self.search_cache)),
            "feeds": (write_feeds, (self.site, config)),
        }
        self.jobs = Jobs({} if self.serving else work)
        return files

    def _step(self) -> None:
        self.done += 1
        self.progress("building pages", self.done, self.steps)

    def on_page_content(self, html, page, config, files):
        self._step()
        return html

    def on_page_markdown(self, markdown, page, config, files):
        if _generated(page):
            markdown, _ = stash_blocks(markdown, self.nonce)
        return markdown

    def on_env(self, env, config, files):
        # Material's templates take a few hundred milliseconds to compile; MkDocs makes a new
        # environment for every build (and every reload of `serve`).
        self.templates = TemplateCache(self.root)
        env.bytecode_cache = self.templates
        return env

    def on_post_build(self, config):
        from generator.feeds import write_feeds
        from generator.search.documents import build_search_index

        try:
            # Search reads the built hand-written pages, so it runs after MkDocs has written them.
            self.progress("indexing for search")
            build_search_index(self.jobs, self.site, config, self.search_cache)
            self.progress("writing feeds and calendar")
            self.jobs.result("feeds", write_feeds, self.site, config)
        except ChatdigestError as exc:
            self._fail(exc)
        finally:
            self.jobs.close()
        self.templates.save()
        record_finished_build(config, self.root)
        self._unlock()

    def on_post_page(self, output, page, config):
        from generator.feeds import insert_autodiscovery

        self._step()
        if _generated(page):
            _, blocks = stash_blocks(Path(page.file.abs_src_path).read_text(encoding="utf-8"), self.nonce)
            output = restore_blocks(output, blocks)
        return insert_autodiscovery(output, page.file.src_uri, config)  # <link rel="alternate"> to the feeds

    def on_post_template(self, output, template_name, config):
        from generator.feeds import insert_autodiscovery

        # Theme templates (404.html; also sitemap.xml, left alone) are rendered outside pages.
        return insert_autodiscovery(output, "", config) if template_name.endswith(".html") else output

    def on_serve(self, server, config, builder):
        from generator.build.watch import GeneratedWrites, watch_docs_skipping

        # The first build is done (before the watcher's first look); from now on, every build notes
        # what generate writes into docs/ for the watcher to pass over.
        self.generated_writes = GeneratedWrites()
        watch_docs_skipping(server, config.docs_dir, self.generated_writes)
        server.watch(str(self.root / self.config.data_dir))
        return server


def _warn_of_local_site_url(site_url: str | None) -> None:
    """A site built for publishing with a local site_url (an !ENV default, say) puts this
    computer's address into feed ids, calendar UIDs and absolute links."""
    host = urlsplit(site_url or "").hostname or ""
    try:
        local = host == "localhost" or host.endswith(".localhost") or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if local:
        log.warning(
            f"site_url is {site_url}, a local address: feeds, calendar and links will point at this computer "
            "(fix: set site_url in mkdocs.yml, or the variable its !ENV names, to the address the site is published at)"
        )


def _generated(page) -> bool:
    return is_generated(page.file.src_uri)


class TemplateCache(jinja2.BytecodeCache):
    """The theme's compiled templates, kept in the cache between builds (cache.py).

    Jinja checks each against its template's source and compiles again a template that changed;
    the entry is also dropped with another Jinja version. This is code the build runs, kept where
    only the site's owner writes, beside the mkdocs.yml and theme files the build runs anyway.
    """

    NAME = "templates"

    def __init__(self, root: Path):
        self.root = root
        version, compiled = cache.load(root, self.NAME) or ("", {})
        self.compiled: dict[str, bytes] = compiled if version == jinja2.__version__ else {}
        self.changed = False

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        self.changed = True

    def save(self) -> None:
        if self.changed:
            cache.save(self.root, self.NAME, (jinja2.__version__, self.compiled))
            self.changed = False
