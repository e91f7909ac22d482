"""The search index's format: terms, postings, chunks, the files of site/search/, and the
cache that lets a warm build index only the chats that changed. What goes into it is search.py's.

site/search/ holds:
  meta.json           {"version", "build", "pages", "chats", "chunks", "filters"}; "chunks" lists
                      each part's chunks as [[first term, file], ...]: the archive's chats and
                      people, then the hand-written pages (made later in the build)
  chunks/<hash>.json  {term: postings} for a run of a part's terms in order, about CHUNK_BYTES each
  pages/<n>.json      {"url", "title", "date", "docs": [[anchor, heading, text]...]}, for results
Postings are a flat list [page, docs, page, docs, ...]: each page as the gap from the one before,
its documents as one number, a list of gaps, a base64url bitmap (whichever is shortest) or true
for all of them. Pages are numbered chats first, oldest first (search.js ranks newer chats
first on ties), then people and hand-written pages.
Terms are words lower-cased, accents dropped, split at anything not a letter or a digit
(`terms`; theme/assets/search.js does the same to a query). The filters are terms too:
"year:2026", "topic:careers" (whole pages) and "person:Gus Guest" (their messages).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import operator
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from generator import cache
from generator.writer import file_state, write_atomic

BUNDLE_DIR = "search"  # in site/
FILTERS = ("year", "topic", "person")  # as terms: "year:2026"
CACHE_NAME = "search-chats"
VERSION = 1
CHUNK_BYTES = 24_000  # a query fetches one chunk per word: small, but few enough to list in meta.json
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_WORD = re.compile(r"[^\W_]+")
# Combining marks (accents once NFKD has split them off), as JavaScript's \p{M}.
_MARKS = {cp: None for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)).startswith("M")}


@dataclass(slots=True)
class Doc:
    anchor: str  # "" for the page itself
    heading: str  # what a result shows in bold: the author, "Q2", a section
    text: str
    extra: str = ""  # also searched, not shown (a handle, media descriptions)
    person: str = ""  # the person filter's value, for messages by someone not anonymised


@dataclass(frozen=True)
class SearchPage:
    url: str  # from the site root, as MkDocs writes it
    title: str
    date: str = ""
    facets: tuple[str, ...] = ()  # whole-page filter terms
    docs: tuple[Doc, ...] = ()


@dataclass(frozen=True)
class SearchReport:
    pages: int
    documents: int
    bundle_bytes: int

    def summary(self) -> str:
        return f"search: indexed {self.documents} documents of {self.pages} pages, {self.bundle_bytes / 1e6:.1f} MB in {BUNDLE_DIR}/"


def terms(text: str) -> list[str]:
    """The words of a text as the index keeps them (search.js's `terms` is the same)."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_MARKS)
    return _WORD.findall(text)


def page_postings(page: SearchPage) -> dict[str, list[int] | bool]:
    """Each term of a page with the documents that hold it (True: every document)."""
    found: dict[str, list[int] | bool] = defaultdict(list)
    for number, doc in enumerate(page.docs):
        text = f"{doc.heading} {doc.text} {doc.extra}" if doc.extra else f"{doc.heading} {doc.text}"
        for term in set(terms(text)):
            found[term].append(number)
        if doc.person:
            found[f"person:{doc.person}"].append(number)
    for facet in page.facets:
        found[facet] = True
    return found


def encode_docs(numbers: list[int] | bool):
    """One page's documents for a term: one number, a list of gaps, or a bitmap when the
    documents are dense (a gap takes two characters or more, the bitmap one per six documents)."""
    if numbers is True or len(numbers) == 1:
        return True if numbers is True else numbers[0]
    if 12 * len(numbers) < numbers[-1]:
        return (numbers[0], *map(operator.sub, numbers[1:], numbers))  # a tuple: smaller than a list
    bits = sum(map((1).__lshift__, numbers))
    return "".join([_B64[(bits >> shift) & 63] for shift in range(0, numbers[-1] + 1, 6)])


@dataclass(frozen=True)
class IndexedPage:
    postings: dict  # term → its documents, encoded
    documents: int
    version: str  # what meta.json's build hash is made of: the chat's page key, else the record's hash
    record: bytes | None  # pages/<n>.json, what its results show; None: the file already holds it


def indexed(page: SearchPage, version: str = "") -> IndexedPage:
    postings = {term: encode_docs(docs) for term, docs in page_postings(page).items()}
    record = page_record(page)
    return IndexedPage(postings, len(page.docs), version or _hash(record), record)


def _hash(data: str | bytes) -> str:
    return hashlib.blake2b(data.encode() if isinstance(data, str) else data, digest_size=8).hexdigest()


def page_record(page: SearchPage) -> bytes:
    """The record as UTF-8: a str with one emoji in it would take four bytes a character."""
    record = {"url": page.url, "title": page.title, "date": page.date, "docs": [[d.anchor, d.heading, d.text] for d in page.docs]}
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class Index:
    """The index as pages are added, in order. Only the merged postings stay in memory: a page's
    own postings can go once added."""

    def __init__(self, first: int = 0):
        self.first = first  # the number of its first page: parts of the index follow one another
        self.terms: dict[str, list] = defaultdict(list)  # term → [page gap, documents, ...]
        self.last: dict[str, int] = {}
        self.records: list[bytes | None] = []
        self.versions: list[str] = []
        self.documents = 0
        self.filters: dict[str, dict[str, int]] = {kind: {} for kind in FILTERS}

    def add(self, page: IndexedPage) -> None:
        number = self.first + len(self.records)
        for term, docs in page.postings.items():
            self.terms[term] += (number - self.last.get(term, 0), docs)
            self.last[term] = number
            if ":" in term:  # a filter value (words have no colon): count the pages it covers
                kind, _, label = term.partition(":")
                self.filters[kind][label] = self.filters[kind].get(label, 0) + 1
        self.records.append(page.record)
        self.versions.append(page.version)
        self.documents += page.documents


def _order(term: str) -> bytes:
    # JavaScript compares strings by UTF-16 code units; search.js binary-searches chunk bounds.
    return term.encode("utf-16-be")


def chunks(index: dict[str, list]) -> list[tuple[str, str]]:
    """The index cut into runs of terms of about CHUNK_BYTES: (first term, JSON) each."""
    out, run, size = [], [], 0
    for term in sorted(index, key=_order):
        entry = json.dumps(term, ensure_ascii=False) + ":" + json.dumps(index[term], separators=(",", ":"))
        if run and size + len(entry) > CHUNK_BYTES:
            out.append(_chunk(run))
            run, size = [], 0
        run.append((term, entry))
        size += len(entry) + 1
    if run:
        out.append(_chunk(run))
    return out


def _chunk(run: list[tuple[str, str]]) -> tuple[str, str]:
    return run[0][0], "{" + ",".join(entry for _, entry in run) + "}\n"


@dataclass
class Part:
    """A part of the index as written: its chunks, and what meta.json needs to know of it."""

    chunks: list  # [[first term, file], ...]
    files: list  # every file of the part, from the index folder
    pages: int
    documents: int
    versions: list
    filters: dict


def write_part(index: Index, folder: Path) -> Part:
    """Write a part's chunks and page records into the index folder.

    Unchanged files are not rewritten, so a deploy uploads only what a build changed: chunks are
    named by their content's hash, and a record the cache knows is on disk is not even made.
    """
    files: dict[str, str | bytes | None] = {}
    listed = []
    for first, text in chunks(index.terms):
        name = f"chunks/{_hash(text)}.json"
        files[name] = text
        listed.append([first, name])
    for offset, record in enumerate(index.records):
        files[f"pages/{index.first + offset}.json"] = record
    for rel, data in files.items():
        if data is None or (rel.startswith("chunks/") and (folder / rel).is_file()):
            continue
        write_atomic(folder / rel, data, durable=False)  # skips a file already holding these bytes
    return Part(listed, list(files), len(index.records), index.documents, index.versions, index.filters)


def write_meta(parts: list[Part], folder: Path, chats: int) -> SearchReport:
    """meta.json, which names every part's chunks, then the removal of any other file.

    Page records are asked for with the build's hash, so a browser never mixes two builds.
    """
    build = hashlib.blake2b(digest_size=8)
    filters: dict[str, dict[str, int]] = {kind: {} for kind in FILTERS}
    for part in parts:
        build.update("\0".join(name for _, name in part.chunks).encode() + b"\1" + "\0".join(part.versions).encode())
        for kind, values in part.filters.items():
            for label, count in values.items():
                filters[kind][label] = filters[kind].get(label, 0) + count
    meta = {
        "version": VERSION,
        "build": build.hexdigest(),
        "pages": sum(p.pages for p in parts),
        "chats": chats,
        "chunks": [part.chunks for part in parts],
        "filters": {kind: dict(sorted(values.items())) for kind, values in filters.items()},
    }
    write_atomic(folder / "meta.json", json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n", durable=False)
    _prune(folder, {"meta.json", *(name for part in parts for name in part.files)})
    return SearchReport(meta["pages"], sum(p.documents for p in parts), _folder_bytes(folder))


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


class ChatCache:
    """Each chat's postings from the last build by its page key, and which chat's record each
    pages/<n>.json holds, in the cache folder. Deleting it is always safe.

    The entry is taken out of the cache while the index is written and saved once the chats'
    records are, so a killed build is followed by a full one. Only the chats of the last build
    are kept.
    """

    def __init__(self, root: Path, records: Path, page_keys: dict[str, str]):
        self.root, self.records = root, records
        self.page_keys = page_keys  # chat page path → the key generate rendered it by (pagecache.py)
        self.postings: dict[str, tuple[bytes, int]] = {}  # kept marshalled: a tenth of the memory
        self.numbers: dict[int, str] = {}  # chat number → its page key, in this build
        self.previous, self.previous_written = cache.load(root, CACHE_NAME, take=True) or ({}, {})

    def chat(self, number: int, path: str, make) -> IndexedPage:
        """The chat numbered `number`, whose page is `path`: from the cache if its page's key is
        unchanged, else from make()."""
        key = self.page_keys[path]
        found = self.previous.get(key)
        if found is not None and self.previous_written.get(number) == [key, *self._state(number)]:
            self.postings[key] = found
            page = IndexedPage(marshal.loads(found[0]), found[1], key, None)
        else:
            page = indexed(make(), key)
            self.postings[key] = (marshal.dumps(page.postings), page.documents)
        self.numbers[number] = key
        return page

    def _state(self, number: int) -> tuple[int, int]:
        return file_state(self.records / f"{number}.json")

    def save(self) -> None:
        """After the index is written: note each chat's record file as it now is."""
        written = {number: [key, *self._state(number)] for number, key in self.numbers.items()}
        cache.save(self.root, CACHE_NAME, (self.postings, written))


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove what an older build left in the index folder."""
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(name.startswith(rel + "/") for name in keep):
                shutil.rmtree(path)
        elif rel not in keep:
            path.unlink()
