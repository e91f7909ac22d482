"""Each chat's share of the redaction, found without reading the chats that did not change.

The redaction of privacy.yml reaches into every chat (their words quoted anywhere, links to
their posts), so finding what it does to one chat would mean reading them all. What was learned
of each transcript (what it holds of the people the ledger covers, which of their texts it
quotes, which posts redacting it compares) is remembered with the summaries (summaries.py)
under the transcript's digest, and a later run reads a chat again only when a new text or post
of theirs may be in it. generate keys each chat's summary, page and search share by its share.
"""

from __future__ import annotations

from generator.archive.model import Archive
from generator.archive.privacy import (
    MAX_QUOTERS,
    ChatTraces,
    LinkScan,
    QuoteScan,
    Redaction,
    chat_share,
    chat_traces,
    complete_redaction,
    ledger_redaction,
    link_scan,
    quote_index,
    quote_items,
    quote_scan,
    quote_share,
)
from generator.archive.summaries import SummaryCache


def redaction_and_shares(archive: Archive, summaries: SummaryCache) -> tuple[Redaction, dict | None]:
    """The redaction of the ledger, and each chat's share of it (privacy.chat_share) with its
    messages if finding it redacted them. What each chat holds of the people it covers, which
    of their texts it quotes and which posts redacting it compares are remembered with its
    transcript, so that an unchanged chat is read only when new texts of theirs might be in it
    or new posts of theirs are among what it links to."""
    ledger = ledger_redaction(archive.optouts, archive.people)
    if not archive.optouts:
        return ledger, None
    chats = archive.episodes

    def key(content, of: Redaction) -> str:
        return f"{content.transcript_digest}:{of.fingerprint}"

    traces = [
        ChatTraces.from_data(summaries.remember("traces", key(c, ledger), lambda c=c: chat_traces(c.messages, ledger).as_data()))
        for c in chats
    ]
    items = quote_items(frozenset().union(*(t.quoted for t in traces)))
    every_item = items[0] | items[1]
    posts = frozenset().union(*(t.posts for t in traces))
    last = summaries.recall("redaction", ledger.fingerprint)  # the last run's texts, posts and unsettled items
    known = quote_items(last[0]) if last is not None else (frozenset(), frozenset())
    new_posts = posts - frozenset(last[1]) if last is not None else frozenset()
    index = quote_index(items[0])
    scans = [_quote_scan(c, ledger, items, index, summaries, key(c, ledger) if last is not None else None) for c in chats]
    # Items that the kept scans were not made for: new texts of theirs, and those left unsettled.
    unsettled = (every_item - known[0] - known[1]) | (every_item & frozenset(last[2])) if last is not None else frozenset()
    quotes, unsettled = _settle(scans, items, index, unsettled)
    summaries.keep("redaction", ledger.fingerprint, (sorted(items[0]), sorted(posts), sorted(unsettled, key=repr)))
    for content, scan in zip(chats, quotes, strict=True):
        summaries.keep("quotes", key(content, ledger), scan.as_data())
    redaction = complete_redaction(ledger, traces, (q.users for q in quotes))
    shares: dict[str, tuple] = {}
    for content, scan in zip(chats, quotes, strict=True):
        quoting = quote_share(redaction, scan)
        links, redacted = _links_of(
            content, quoting, redaction.posts, summaries, key(content, quoting), new_posts if last is not None else None
        )
        share = chat_share(redaction, content, quoting, links)
        shares[content.episode.id] = (share, redacted if share is quoting else None)
    return redaction, shares


def _quote_scan(content, ledger: Redaction, items, index, summaries: SummaryCache, key: str | None) -> QuoteScan | None:
    """The chat's QuoteScan for `items`, or the last run's (for its items) if kept under `key`."""
    kept = summaries.recall("quotes", key) if key is not None else None
    if kept is not None:
        return QuoteScan.from_data(kept)
    return quote_scan(content.messages, ledger, items, index)


def _settle(scans: list[QuoteScan], items, index, unsettled: frozenset) -> tuple[list[QuoteScan], frozenset]:
    """Every chat's QuoteScan for `items`, from `scans` (made for them, or kept from the last
    run, which did not look for the `unsettled` items), and the items still unsettled. A kept
    scan looks again (in the texts it kept) at the messages that may hold an unsettled item that
    could still be a quote of theirs: one that at most MAX_QUOTERS other people wrote so far.
    An item that more wrote is everybody's (complete_redaction) wherever else it is, so it is
    not looked for further: it stays unsettled for the next run."""
    every = items[0] | items[1]
    others: dict[object, set[str]] = {}

    def count(scan: QuoteScan) -> None:
        for item, authors in scan.users.items():
            others.setdefault(item, set()).update(authors)

    scans = [scan.narrowed(every) for scan in scans]
    for scan in scans:
        count(scan)
    settled = []
    for scan in scans:
        if unsettled:
            suspects = [item for item in unsettled if len(others.get(item, ())) <= MAX_QUOTERS]
            rescanned = scan.with_new(suspects, items, index)
            if rescanned is not scan:
                scan = rescanned
                count(scan)
        settled.append(scan)
    return settled, frozenset(item for item in unsettled if len(others.get(item, ())) > MAX_QUOTERS)


def _links_of(content, quoting: Redaction, posts: frozenset[str], summaries: SummaryCache, key: str, new_posts):
    """The chat's LinkScan, and its messages redacted by `quoting` when finding it read them."""
    found = summaries.recall("links", key) if new_posts is not None else None
    if found is not None:
        links, redacted = LinkScan.from_data(found).narrowed(posts, new_posts), None
    else:
        links, *messages = link_scan(content.messages, quoting, posts)
        redacted = tuple(messages)
    summaries.keep("links", key, links.as_data())
    return links, redacted
