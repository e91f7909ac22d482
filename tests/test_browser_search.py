"""Search in a real browser: find a message by a word only it contains, land on its anchor,
and narrow a query to one person. Words and people are chosen from the built site, so the test
runs on the demo community (or on the fixture community while the demo does not build)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build, copy_site

from generator.bench.searchcost import is_search_file
from generator.errors import ChatdigestError

pytestmark = pytest.mark.browser
WORD = re.compile(r"[a-z]+")


@pytest.fixture(scope="module")
def site_dir(request, tmp_path_factory) -> Path:
    try:
        return request.getfixturevalue("built_demo") / "site"
    except ChatdigestError as exc:
        print(f"demo site does not build ({exc}); searching the fixture site instead")
        root = copy_site(FIXTURE_SITE, tmp_path_factory.mktemp("browser") / "site")
        build(root)
        return root / "site"


def transcript_messages(site_dir: Path) -> list[dict]:
    """Every transcript message card of every episode page: url, id, author and words."""
    from lxml import html

    messages = []
    for page in sorted((site_dir / "episodes").glob("*/index.html")):
        tree = html.parse(str(page))
        url = page.parent.relative_to(site_dir).as_posix() + "/"
        for card in tree.xpath('//div[contains(@class, "cd-msg") and @id]'):
            author = card.xpath('./p[@class="cd-meta"]/a[contains(@class, "cd-person")]')
            text = card.xpath('./p[contains(@class, "cd-text")]')
            if author and text and not text[0].xpath('.//em[@class="cd-deleted"]'):
                words = set(WORD.findall(text[0].text_content().lower()))
                messages.append({"url": url, "id": card.get("id"), "author": author[0].text_content(), "words": words})
    return messages


def all_page_words(site_dir: Path) -> list[str]:
    from lxml import html

    words = []
    for page in site_dir.rglob("*.html"):
        if "search" not in page.relative_to(site_dir).parts[:1]:
            words += WORD.findall(html.parse(str(page)).getroot().text_content().lower())
    return words


def word_stats(site_dir: Path) -> tuple[dict[str, int], dict[str, set[str]]]:
    """How often each word occurs on the site's pages, and the words sharing each 6-letter prefix
    (search matches prefixes, so a word is only distinctive if no other word shares one)."""
    counts: dict[str, int] = defaultdict(int)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for word in all_page_words(site_dir):
        counts[word] += 1
        prefixes[word[:6]].add(word)
    return counts, prefixes


def unique_message_word(site_dir: Path, messages: list[dict]) -> tuple[str, dict]:
    """A long word that occurs once in the whole site, inside a message; no other word shares its
    first six letters, so prefix matching cannot find anything else."""
    counts, prefixes = word_stats(site_dir)
    for message in messages:
        for word in sorted(message["words"]):
            if len(word) >= 9 and counts[word] == 1 and len(prefixes[word[:6]]) == 1:
                return word, message
    pytest.fail("no word occurs in exactly one message")


def shared_word(site_dir: Path, messages: list[dict]) -> tuple[str, str, dict, dict]:
    """A word that two people wrote in one chat and that occurs nowhere else (nor does a word
    sharing its first six letters): (word, person, their message, the other's)."""
    counts, prefixes = word_stats(site_dir)
    by_word = defaultdict(list)
    for message in messages:
        for word in message["words"]:
            if len(word) >= 6 and len(prefixes[word[:6]]) == 1:
                by_word[word].append(message)
    for word, found in sorted(by_word.items()):
        authors = {m["author"] for m in found}
        if len(authors) >= 2 and counts[word] == len(found) <= 4 and len({m["url"] for m in found}) == 1:
            mine = found[0]
            other = next(m for m in found if m["author"] != mine["author"])
            return word, mine["author"], mine, other
    pytest.fail("no word written by two people")


def message_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.getAttribute('href'))")
    return [h.split("#", 1)[1] for h in hrefs if "#m-" in h]


def search_bytes(responses: list) -> int:
    return sum(len(r.body()) for r in responses if is_search_file(r.url))


def assert_opened_at(page, message: dict) -> None:
    """The browser went to the message's page, with the message as the page's target."""
    page.wait_for_url(re.compile(re.escape(message["url"]) + "#" + re.escape(message["id"]) + "$"))
    assert page.evaluate("document.querySelector(':target')?.id") == message["id"]


def test_search_finds_a_message_and_lands_on_its_anchor(browser, serve, site_dir):
    messages = transcript_messages(site_dir)
    word, message = unique_message_word(site_dir, messages)
    base = serve(site_dir)
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + "about/" if (site_dir / "about").is_dir() else base)

    page.keyboard.press("/")  # Material's shortcut opens the search
    search_box = page.locator(".md-search__input")
    assert search_box.evaluate("el => el === document.activeElement")
    opened = search_bytes(responses)
    search_box.type(word)
    target = page.locator(f'.md-search-result__link[href$="#{message["id"]}"]')
    target.wait_for(timeout=5000)
    assert message_links(page) == [message["id"]]
    print(f"\nquery {word!r}: {search_bytes(responses)} bytes of search files ({opened} on opening the search)")

    target.click()
    assert_opened_at(page, message)
    assert page.locator(f"#{message['id']}").is_visible()
    assert dialogs == []
    page.close()


def test_search_finds_other_forms_of_a_word(browser, serve, site_dir):
    word, message = unique_message_word(site_dir, transcript_messages(site_dir))
    page = browser.new_page()
    page.goto(serve(site_dir))
    page.keyboard.press("/")
    page.locator(".md-search__input").type(word + "s")  # a form the message does not have
    page.locator(f'.md-search-result__link[href$="#{message["id"]}"]').wait_for(timeout=5000)
    assert message_links(page) == [message["id"]]
    page.close()


def test_search_filters_by_person(browser, serve, site_dir):
    word, person, mine, other = shared_word(site_dir, transcript_messages(site_dir))
    page = browser.new_page()
    page.goto(serve(site_dir))
    page.keyboard.press("s")
    page.locator(".md-search__input").type(word)
    page.locator(f'.md-search-result__link[href$="#{other["id"]}"]').wait_for(timeout=10000)
    unfiltered = message_links(page)
    assert {mine["id"], other["id"]} <= set(unfiltered)

    page.locator('select[data-filter="person"]').focus()  # a filter's values come when it is first used
    page.locator('select[data-filter="person"]').select_option(person)
    page.locator(f'.md-search-result__link[href$="#{other["id"]}"]').wait_for(state="detached", timeout=10000)
    # The list is redrawn after the filter applies: wait for the person's own message to be back.
    page.locator(f'.md-search-result__link[href$="#{mine["id"]}"]').wait_for(timeout=10000)
    filtered = message_links(page)
    authors = {m["id"]: m["author"] for m in transcript_messages(site_dir) if m["url"] == mine["url"]}
    assert mine["id"] in filtered
    assert {authors[i] for i in filtered} == {person}
    page.close()


def answered(page, query: str) -> None:
    page.wait_for_function("q => document.querySelector('[data-cd-search]').dataset.answered === q", arg=query, timeout=20_000)


def test_search_is_usable_from_the_keyboard_and_announces_its_count(browser, serve, site_dir):
    word, message = unique_message_word(site_dir, transcript_messages(site_dir))
    page = browser.new_page()
    page.goto(serve(site_dir))
    page.keyboard.press("/")
    page.keyboard.type(word)
    answered(page, word)
    status = page.locator(".md-search-result__meta")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert status.text_content().startswith("1 ")  # "1 matching document", read out when it changes

    for _ in range(12):  # Tab leaves the box and reaches the results (past the filters)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.cd-search__hit')"):
            break
    else:
        pytest.fail("Tab never reached a result")
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("#" + message["id"])

    page.locator(".md-search__input").focus()
    page.keyboard.press("Escape")  # closes the search
    assert not page.evaluate("document.getElementById('__search').checked")
    assert not page.locator(".md-search__input").evaluate("el => el === document.activeElement")
    page.close()


def test_enter_opens_the_first_results_message(browser, serve, site_dir):
    word, message = unique_message_word(site_dir, transcript_messages(site_dir))
    page = browser.new_page()
    page.goto(serve(site_dir))
    page.keyboard.press("/")
    page.keyboard.type(word)
    page.keyboard.press("Enter")  # at once: the query is answered first
    assert_opened_at(page, message)
    page.close()


def test_a_typo_is_corrected_and_the_box_says_so(browser, serve, site_dir):
    word, message = unique_message_word(site_dir, transcript_messages(site_dir))
    typo = word[:3] + word[4] + word[3] + word[5:]  # two letters swapped
    page = browser.new_page()
    page.goto(serve(site_dir))
    page.keyboard.press("/")
    page.keyboard.type(typo)
    answered(page, typo)
    assert message_links(page) == [message["id"]]
    assert page.locator(".md-search-result__meta").text_content().startswith(f"Showing results for {word}")
    page.close()
