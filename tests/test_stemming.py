"""Terms: the same Snowball stems in Python (index) and in the browser (query), pairs of CJK
characters, Cyrillic words stemmed as Russian, accents dropped after stemming; and the
positions that make phrases."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

from generator.search.index import Doc, SearchPage, doc_places, indexed
from generator.search.stemming import LANGUAGES, Terms, _stem_function, stemmer_name

STEMMERS = REPO / "generator" / "theme" / "assets" / "stemmers"
# Inflected forms in each language, next to the demo's own words: what a stemmer is for.
WORDS = {
    "english": "negotiating negotiated negotiation boundaries boundary evenings internally international psychologist "
    "organization adding running happily generously relational conditional hopefulness",
    "german": "Gehälter Gehalt Gehalts Vorstellungsgespräche Vorstellungsgesprächen Kolleginnen Kollegen arbeitet "
    "arbeitete Lehrerin Mädchen häuslich Aufsichtsrat Verhandlungen größten",
    "french": "négociation négocier mauvais palais d'abord l'une travaillons travaillaient entretiens salaires "
    "heureusement collègues développement",
    "spanish": "negociación negociaciones trabajando trabajadores entrevistas salarios compañeras rápidamente",
    "portuguese": "negociação negociações trabalhando trabalhadores entrevistas salários colegas rapidamente",
    "russian": "зарплата зарплату зарплаты зарплатой собеседование собеседованием собеседовании работа работу "
    "работе коллеги коллегами ёлка мой",
    "italian": "negoziazione negoziare lavorando lavoratori colloqui stipendi colleghe rapidamente",
    "dutch": "onderhandeling onderhandelen werkend werknemers sollicitatiegesprekken salarissen collega's",
}


def demo_words() -> list[str]:
    words = set()
    for transcript in (REPO / "data" / "episodes").glob("*/transcript.jsonl"):
        for line in transcript.read_text(encoding="utf-8").splitlines():
            words |= set(re.findall(r"[^\W\d_]+", json.loads(line).get("text", "").lower()))
    return sorted(words)


def test_the_minified_search_box_is_made_from_the_current_search_js():
    from generator.search.vendor import SEARCH_BOX_MINIFIED, search_box_preamble

    assert SEARCH_BOX_MINIFIED.read_text(encoding="utf-8").startswith(search_box_preamble()), (
        "theme/assets/search.min.js is older than search.js (fix: python -m generator.search.vendor)"
    )


def test_every_language_has_its_stemmer_and_licence_in_the_theme():
    assert (STEMMERS / "LICENSE").read_text().count("ISC") >= 1
    for name in set(LANGUAGES.values()):
        script = (STEMMERS / f"{name}.js").read_text(encoding="utf-8")
        assert script.startswith(f"/* Snowball {name} stemmer from snowball-stemmers@"), name
    assert stemmer_name("en") == "english" and stemmer_name("de-AT") == "german" and stemmer_name("pt_BR") == "portuguese"
    assert stemmer_name("ja") == ""  # no stemmer: words stay whole


@pytest.mark.browser
def test_the_browser_stems_every_word_as_python_does(browser):
    """The vendored JavaScript stemmers against snowballstemmer, word for word."""
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    demo = demo_words()
    compared = 0
    for name in sorted(set(LANGUAGES.values())):
        page.add_script_tag(path=str(STEMMERS / f"{name}.js"))
        words = sorted({w.lower() for w in WORDS[name].split()} | set(demo if name in ("english", "russian") else []))
        if name == "russian":  # stemming.py reads ё as е first, as search.js does
            words = sorted({w.replace("ё", "е") for w in words})
        in_browser = page.evaluate("([name, words]) => words.map(globalThis.chatdigestStemmers[name])", [name, words])
        in_python = [_stem_function(name)(word) for word in words]
        different = [(w, p, j) for w, p, j in zip(words, in_python, in_browser) if p != j]
        assert different == [], name
        compared += len(words)
    print(f"\n{compared} words stemmed alike in {len(set(LANGUAGES.values()))} languages")
    page.close()


def test_terms_are_stems_with_accents_dropped_after_stemming():
    terms = Terms("en")
    assert terms("Negotiating, negotiated: NEGOTIATION") == ["negoti", "negoti", "negoti"]
    assert terms("Boundaries") == terms("boundary") == ["boundari"]
    assert terms("Зарплату и зарплатой") == ["зарплат", "и", "зарплат"]  # Cyrillic: the Russian stemmer
    assert terms("ёлка") == terms("елка")
    assert Terms("de")("Gehälter Gehalt") == ["gehalt", "gehalt"]
    assert terms("café ＡＢＣ ﬁle") == ["cafe", "abc", "file"]  # NFKC first: full-width, ligatures
    assert terms("❤️ ok") == ["ok"]  # a lone variation selector is no word


def test_cjk_runs_become_pairs_of_characters():
    terms = Terms("en")
    assert terms("東京") == ["東京"]
    assert terms("東京都で働く") == ["東京", "京都", "都で", "で働", "働く"]
    assert terms("会") == ["会"]
    assert terms("서울에서 일해요") == ["서울", "울에", "에서", "일해", "해요"]
    assert terms("Tokyo東京office") == ["tokyo", "東京", "offic"]


def test_a_document_keeps_each_terms_places_for_phrases():
    terms = Terms("en")
    doc = Doc("m-1", "Dev Patel", 'When the answer is "not this year", ask again', "@devpatel_comp")
    places = doc_places(doc, terms)
    assert places["dev"] == [0] and places["patel"] == [1]  # the heading, then the text after a gap
    assert [places[t] for t in ("not", "this", "year")] == [[7], [8], [9]]
    assert places["devpatel"] == [13]  # the extra text, after another gap: no phrase spans two fields


def test_positions_follow_the_postings():
    terms = Terms("en")
    page = SearchPage("p/", "P", docs=(Doc("", "", "alpha beta"), Doc("m-1", "", "beta beta gamma"), Doc("m-2", "", "gamma")))
    built = indexed(page, terms)
    # An empty heading still takes a place, so a document's text starts at 1.
    assert built.postings["beta"] == "D" and built.positions["beta"] == [2, [1, 1]]  # documents 0 and 1
    assert built.postings["gamma"] == "G" and built.positions["gamma"] == [3, 1]  # documents 1 and 2
