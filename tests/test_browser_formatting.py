"""The demo's imported chats as a reader sees them in Chromium: an image kept from a Slack export,
loaded with its alt text, a formatted Discord message, and a redacted person's image and mention
gone from the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

SLACK_CHAT = "episodes/2026-01-08-portfolio-night/"
DISCORD_CHAT = "episodes/2026-01-22-desk-night/"
ALT = "A one-page diagram: old cron job on the left, new event queue on the right, an arrow labelled 'zero downtime'"


@pytest.fixture
def page(built_demo: Path, serve, browser):
    context = browser.new_context()
    tab = context.new_page()
    tab.base = serve(built_demo / "site")
    yield tab
    context.close()


def test_an_image_shows_with_its_alt_text(page):
    page.goto(page.base + SLACK_CHAT, wait_until="load")
    image = page.locator(f'img[alt="{ALT}"]').first
    assert image.get_attribute("loading") == "lazy"
    image.scroll_into_view_if_needed()
    page.wait_for_function("(alt) => [...document.images].some(i => i.alt === alt && i.complete && i.naturalWidth > 0)", arg=ALT)
    assert image.evaluate("i => i.closest('a').getAttribute('href')").endswith(".png")  # opens the full image
    card = image.locator("xpath=ancestor::div[contains(@class, 'cd-msg')][1]")
    assert "Priya Shah" in card.locator(".cd-meta").first.inner_text()


def test_a_formatted_message_shows_formatted(page):
    page.goto(page.base + DISCORD_CHAT, wait_until="load")
    card = page.locator(".cd-msg", has_text="second monitor on purpose").first
    bold = card.locator(".cd-text strong")
    assert bold.inner_text() == "no"
    assert bold.evaluate("b => Number(getComputedStyle(b).fontWeight)") >= 600
    assert "**" not in card.inner_text()
    mention = page.locator(".cd-msg .cd-text a.cd-mention", has_text="@Grace L.").first
    assert mention.get_attribute("href").endswith("people/grace-liu/")
    spoiler = page.locator(".cd-spoiler", has_text="never").first
    assert spoiler.evaluate("s => getComputedStyle(s).color") == "rgba(0, 0, 0, 0)"  # hidden until hovered


def test_redacted_person_leaves_no_image_or_name(built_demo: Path, page):
    page.goto(page.base + SLACK_CHAT, wait_until="load")
    text = page.locator("article").inner_text()
    assert "Quinn" not in text and "quiet_quinn" not in text and "freelancer" not in text  # their own answer is gone
    assert "@[removed] a zine!" in text  # Maya's reply stays, without the name and without a link
    assert page.locator("a.cd-mention", has_text="removed").count() == 0
    assert "zine-cover" not in page.content()
    published = {p.name for p in (built_demo / "site" / "media").iterdir() if ".t320." not in p.name}
    kept = {p.name for p in (built_demo / "data" / "media").iterdir()}
    assert len(published) == 7 and len(kept - published) == 1  # their picture stays unpublished
    for path in (built_demo / "site" / "media").iterdir():
        assert not Image.open(path).getexif(), path.name  # no camera, no GPS
