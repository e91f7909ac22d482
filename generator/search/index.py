"""The search index's format: terms, postings, positions, chunks, the files of site/search/,
and the cache that lets a warm build index only the chats that changed. What goes into it is
documents.py's; how a text becomes terms is stemming.py's.

site/search/ holds:
  meta.json               {"build", "language", "block", "pages", "parts", "chats",
                          "chunks"}; "chunks" lists each part's chunks as [[first term, hash, whether
                          it has positions], ...]: the archive's chats and people, then the
                          hand-written pages (made later in the build)
  filters.json            {"year": {value: pages}, "topic": ..., "person": ...}, fetched when a
                          filter is first used
  chunks/<hash>.json      {term: postings} for a run of a part's terms in order (chunk_bytes)
  positions/<hash>.json   {term: positions} for the same terms, fetched only for phrases
  pages/<n>-<b>.json      {"url", "title", "date", "docs": [[anchor, heading, text]...]}: page n's
                          documents b*BLOCK_DOCS onwards, BLOCK_DOCS of them, for results
Postings are a flat list [page, docs, page, docs, ...]: each page as the gap from the one before,
its documents as one number, a list of gaps, a base64url bitmap (whichever is shortest) or true
for all of them. Positions follow the postings: for each of the term's pages a list with, for
each of its documents in order, the term's places in it (one number, or a list of gaps). Pages
are numbered chats first, oldest first (search.js ranks newer chats first on ties), then people
and hand-written pages. The filters are terms too: "year:2026", "topic:careers" (whole pages)
and "person:Gus Guest" (their messages); they have no positions.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import operator
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from generator import cache
from generator.search.stemming import Terms, stemmer_name
from generator.writer import file_state, write_atomic

BUNDLE_DIR = "search"  # in site/
FILTERS = ("year", "topic", "person")  # as terms: "year:2026"
CACHE_NAME = "search-chats"
# A query fetches one chunk per word and part: small chunks, but few enough to list in meta.json.
MIN_CHUNK_BYTES, MAX_CHUNK_BYTES, MAX_CHUNKS = 4096, 65536, 512
BLOCK_DOCS = 12  # documents per record file: a result fetches the text of its block, not its page's
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


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


def doc_places(doc: Doc, terms: Terms) -> dict[str, list[int]]:
    """Each term of a document with its places: the heading, the text and the extra text in a
    row, one place apart so that no phrase spans two of them."""
    places: dict[str, list[int]] = {}
    start = 0
    for field in (doc.heading, doc.text, doc.extra):
        found = terms(field) if field else []
        for place, term in enumerate(found, start):
            places.setdefault(term, []).append(place)
        start += len(found) + 1
    return places


def page_postings(page: SearchPage, terms: Terms) -> tuple[dict[str, list[int] | bool], dict[str, list[list[int]]]]:
    """Each term of a page with the documents that hold it (True: every document), and its
    places in each of them."""
    found: dict[str, list[int] | bool] = defaultdict(list)
    positions: dict[str, list[list[int]]] = defaultdict(list)
    for number, doc in enumerate(page.docs):
        for term, places in doc_places(doc, terms).items():
            found[term].append(number)
            positions[term].append(places)
        if doc.person:
            found[f"person:{doc.person}"].append(number)
    for facet in page.facets:
        found[facet] = True
    return found, positions


def encode_places(places: list[int]):
    """A term's places in one document: one number, or a list of gaps."""
    return places[0] if len(places) == 1 else [places[0], *map(operator.sub, places[1:], places)]


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
    positions: dict  # term → its places in each of those documents, encoded
    documents: int
    version: str  # what meta.json's build hash is made of: the chat's page key, else the records' hash
    records: list[bytes] | None  # pages/<n>-<b>.json, what its results show; None: the files hold them


def indexed(page: SearchPage, terms: Terms, version: str = "") -> IndexedPage:
    found, places = page_postings(page, terms)
    postings = {term: encode_docs(docs) for term, docs in found.items()}
    positions = {term: [encode_places(p) for p in lists] for term, lists in places.items()}
    records = page_records(page)
    return IndexedPage(postings, positions, len(page.docs), version or _hash(b"".join(records)), records)


def blocks(documents: int) -> int:
    """How many record files a page of this many documents has."""
    return max(1, -(-documents // BLOCK_DOCS))


def _hash(data: str | bytes) -> str:
    return hashlib.blake2b(data.encode() if isinstance(data, str) else data, digest_size=8).hexdigest()


def page_records(page: SearchPage) -> list[bytes]:
    """The records of a page's blocks as UTF-8: a str with one emoji in it would take four bytes
    a character."""
    out = []
    for block in range(blocks(len(page.docs))):
        docs = page.docs[block * BLOCK_DOCS : (block + 1) * BLOCK_DOCS]
        record = {"url": page.url, "title": page.title, "date": page.date, "docs": [[d.anchor, d.heading, d.text] for d in docs]}
        out.append((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
    return out


class Index:
    """The index as pages are added, in order. Only the merged postings stay in memory: a page's
    own postings can go once added."""

    def __init__(self, first: int = 0):
        self.first = first  # the number of its first page: parts of the index follow one another
        self.terms: dict[str, list] = defaultdict(list)  # term → [page gap, documents, ...]
        self.positions: dict[str, list] = defaultdict(list)  # term → [places in its page's documents, ...]
        self.last: dict[str, int] = {}
        self.records: list[list[bytes] | None] = []
        self.blocks: list[int] = []
        self.versions: list[str] = []
        self.documents = 0
        self.filters: dict[str, dict[str, int]] = {kind: {} for kind in FILTERS}

    def add(self, page: IndexedPage) -> None:
        number = self.first + len(self.records)
        for term, docs in page.postings.items():
            self.terms[term] += (number - self.last.get(term, 0), docs)
            self.last[term] = number
            if term in page.positions:
                self.positions[term].append(page.positions[term])
            if ":" in term:  # a filter value (words have no colon): count the pages it covers
                kind, _, label = term.partition(":")
                self.filters[kind][label] = self.filters[kind].get(label, 0) + 1
        self.records.append(page.records)
        self.blocks.append(blocks(page.documents))
        self.versions.append(page.version)
        self.documents += page.documents


def _order(term: str) -> bytes:
    # JavaScript compares strings by UTF-16 code units; search.js binary-searches chunk bounds.
    return term.encode("utf-16-be")


def chunk_bytes(total: int) -> int:
    """The size of a part's chunks: the smallest power of two from 4 KB that cuts it into at most
    MAX_CHUNKS (meta.json lists them all), so a small site's queries fetch little and a big
    site's meta.json stays small. Powers of two, so that a chat more rarely changes it."""
    size = MIN_CHUNK_BYTES
    while total > size * MAX_CHUNKS and size < MAX_CHUNK_BYTES:
        size *= 2
    return size


def chunks(index: dict[str, list], positions: dict[str, list] | None = None) -> list[tuple[str, str, str]]:
    """The index cut into runs of terms of about chunk_bytes(): (first term, JSON, the positions'
    JSON or "" when none of its terms has positions) each."""
    positions = positions or {}
    entries = [(term, _entry(term, index[term])) for term in sorted(index, key=_order)]
    limit = chunk_bytes(sum(len(entry) + 1 for _, entry in entries))
    out, run, size = [], [], 0
    for term, entry in entries:
        if run and size + len(entry) > limit:
            out.append(_chunk(run, positions))
            run, size = [], 0
        run.append((term, entry))
        size += len(entry) + 1
    if run:
        out.append(_chunk(run, positions))
    return out


def _entry(term: str, value) -> str:
    return json.dumps(term, ensure_ascii=False) + ":" + json.dumps(value, separators=(",", ":"))


def _chunk(run: list[tuple[str, str]], positions: dict[str, list]) -> tuple[str, str, str]:
    places = [_entry(term, positions[term]) for term, _ in run if term in positions]
    return run[0][0], "{" + ",".join(entry for _, entry in run) + "}\n", "{" + ",".join(places) + "}\n" if places else ""


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
    for first, text, places in chunks(index.terms, index.positions):
        name = _hash(text)
        files[f"chunks/{name}.json"] = text
        if places:
            files[f"positions/{name}.json"] = places
        listed.append([first, name, bool(places)])
    for offset, (records, count) in enumerate(zip(index.records, index.blocks)):
        for block in range(count):
            files[record_file(index.first + offset, block)] = None if records is None else records[block]
    for rel, data in files.items():
        if data is None or (rel.startswith(("chunks/", "positions/")) and (folder / rel).is_file()):
            continue
        write_atomic(folder / rel, data, durable=False)  # skips a file already holding these bytes
    return Part(listed, list(files), len(index.records), index.documents, index.versions, index.filters)


def record_file(page: int, block: int) -> str:
    return f"pages/{page}-{block}.json"


def write_meta(parts: list[Part], folder: Path, chats: int, language: str) -> SearchReport:
    """meta.json, which names every part's chunks, then the removal of any other file.

    Page records are asked for with the build's hash, so a browser never mixes two builds.
    """
    build = hashlib.blake2b(digest_size=8)
    filters: dict[str, dict[str, int]] = {kind: {} for kind in FILTERS}
    for part in parts:
        build.update("\0".join(name for _, name, _ in part.chunks).encode() + b"\1" + "\0".join(part.versions).encode())
        for kind, values in part.filters.items():
            for label, count in values.items():
                filters[kind][label] = filters[kind].get(label, 0) + count
    filters = {kind: dict(sorted(values.items())) for kind, values in filters.items()}
    write_atomic(folder / "filters.json", json.dumps(filters, ensure_ascii=False, separators=(",", ":")) + "\n", durable=False)
    meta = {
        "build": build.hexdigest(),
        "language": stemmer_name(language),
        "block": BLOCK_DOCS,
        "pages": sum(p.pages for p in parts),
        "parts": [sum(p.pages for p in parts[:n]) for n in range(len(parts))],  # each part's first page
        "chats": chats,
        "chunks": [part.chunks for part in parts],
    }
    write_atomic(folder / "meta.json", json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n", durable=False)
    kept_bytes = _prune(folder, {"meta.json", "filters.json", *(name for part in parts for name in part.files)})
    return SearchReport(meta["pages"], sum(p.documents for p in parts), kept_bytes)


class ChatCache:
    """Each chat's postings and positions from the last build by its page key, and which chat's
    records the pages/<n>-<b>.json files hold, in the cache folder. Deleting it is always safe.

    A chat whose page key changed but whose search documents did not (an opt-out that changes
    every page key, and this chat's text not at all) is found again by a hash of its documents:
    its page is made (cheap: its messages were read to render it) but not indexed again.

    The entry is taken out of the cache while the index is written and saved once the chats'
    records are, so a killed build is followed by a full one. It holds the language the terms
    were stemmed in: a build in another language starts afresh. Only the chats of the last build
    are kept.
    """

    def __init__(self, root: Path, records: Path, page_keys: dict[str, str], language: str):
        self.root, self.records = root, records
        self.page_keys = page_keys  # chat page path → the key generate rendered it by (pagecache.py)
        self.terms = Terms(language)
        self.language = stemmer_name(language)
        self.postings: dict[str, tuple[bytes, int]] = {}  # kept marshalled: a tenth of the memory
        self.numbers: dict[int, tuple[str, int]] = {}  # chat number → its page key and blocks, in this build
        self.contents: dict[str, str] = {}  # page key → the hash of its documents (documents_key)
        stemmed_in, self.previous, self.previous_written, previous_contents = cache.load(root, CACHE_NAME, take=True) or ("", {}, {}, {})
        if stemmed_in != self.language:
            self.previous, self.previous_written, previous_contents = {}, {}, {}
        self.previous_contents = previous_contents
        self.by_documents = {content: key for key, content in previous_contents.items()}

    def chat(self, number: int, path: str, make) -> IndexedPage:
        """The chat numbered `number`, whose page is `path`: from the cache if its page's key is
        unchanged, else from make()."""
        key = self.page_keys[path]
        page = self._kept(number, key, key)
        if page is None:
            made = make()
            content = documents_key(made)
            page = self._kept(number, self.by_documents.get(content), key)
            if page is None:
                page = indexed(made, self.terms, key)
                self.postings[key] = (marshal.dumps((page.postings, page.positions)), page.documents)
            self.contents[key] = content
        else:
            self.contents[key] = self.previous_contents.get(key, "")
        self.numbers[number] = (key, blocks(page.documents))
        return page

    def _kept(self, number: int, previous_key: str | None, key: str) -> IndexedPage | None:
        """The chat as the last build indexed it under `previous_key`, if its record files are
        as that build wrote them at this number (they hold its documents), now under `key`."""
        found = self.previous.get(previous_key) if previous_key else None
        if found is None or self.previous_written.get(number) != [previous_key, *self._state(number, blocks(found[1]))]:
            return None
        self.postings[key] = found
        postings, positions = marshal.loads(found[0])
        return IndexedPage(postings, positions, found[1], key, None)

    def _state(self, number: int, count: int) -> list[int]:
        return [n for block in range(count) for n in file_state(self.records.parent / record_file(number, block))]

    def save(self) -> None:
        """After the index is written: note each chat's record files as they now are."""
        written = {number: [key, *self._state(number, count)] for number, (key, count) in self.numbers.items()}
        cache.save(self.root, CACHE_NAME, (self.language, self.postings, written, self.contents))


def documents_key(page: SearchPage) -> str:
    """A hash of everything a page's postings and records are made of."""
    docs = [(doc.anchor, doc.heading, doc.text, doc.extra, doc.person) for doc in page.docs]
    return _hash(repr((page.url, page.title, page.date, page.facets, docs)))


def _prune(folder: Path, keep: set[str]) -> int:
    """Remove what an older build left in the index folder; the bytes of what stays.

    One walk of plain names (thousands of files on a big site, on every build)."""
    kept_bytes = 0

    def prune(path: str, prefix: str) -> bool:  # whether anything below is kept
        nonlocal kept_bytes
        kept = False
        for entry in list(os.scandir(path)):
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if prune(entry.path, rel + "/"):
                    kept = True
                else:
                    shutil.rmtree(entry.path)
            elif rel in keep:
                kept_bytes += entry.stat(follow_symlinks=False).st_size
                kept = True
            else:
                os.unlink(entry.path)
        return kept

    prune(str(folder), "")
    return kept_bytes
