"""Writing a knowledge-base article in Chromium: live preview, save, edit, versions, review.

Runs against the real ASGI server of tests/web/browser.py; screenshots (English and
Russian) go to test-artifacts/screenshots/kb-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.browser import (
    PASSWORD,
    SCREENSHOTS,
    chromium_browser,
    english_phrases,
    run_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

ALICE = "alice@helpline.test"
SUE = "sue@helpline.test"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    yield from run_server(tmp_path_factory.mktemp("kb-browser"))


@pytest.fixture(scope="module")
def browser(base_url):
    yield from chromium_browser()


def sign_in(browser, base_url: str, email: str, *, locale: str = "en-GB"):
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1360, "height": 900}, locale=locale
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("form button.button-primary")
    page.wait_for_url(re.compile(r"/tickets/"))
    return page


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_agent_writes_an_article_with_live_preview_and_a_supervisor_publishes_it(browser, base_url):
    # given an L1 operator in the workspace
    alice = sign_in(browser, base_url, ALICE)

    # when she opens the knowledge base from the navigation and starts a new article
    alice.click(".topnav >> text=Knowledge base")
    alice.wait_for_url("**/kb/manage/")
    alice.click("text=New article")
    alice.fill("#id_title", "Reset the VPN token")
    alice.select_option("#id_type", "howto")
    alice.fill("#id_tags", "vpn, token")
    # and types Markdown (with a script tag someone pasted)
    alice.click("#id_body_md")
    alice.keyboard.type(
        "## Steps\n\n1. Open **Token Manager**\n2. Press Reset\n\n<script>x()</script>"
    )

    # then the preview shows the formatted text, without the script
    alice.wait_for_selector("#kb-preview strong >> text=Token Manager")
    assert alice.locator("#kb-preview h2").inner_text() == "Steps"
    assert alice.locator("#kb-preview li").count() == 2
    assert alice.locator("#kb-preview script").count() == 0
    shot(alice, "kb-editor-en")

    # when she saves with a change message
    alice.fill("#id_message", "First version")
    alice.click("[data-save]")
    alice.wait_for_selector("text=Article created as a draft.")
    article_url = alice.url
    assert alice.locator(".kb-manage-head .kb-status").inner_text() == "Draft"

    # and edits it, which makes a second version with a diff
    alice.click(".head-action >> text=Edit")
    alice.fill("#id_body_md", "## Steps\n\n1. Open **Token Manager**\n2. Press Reset and confirm\n")
    alice.wait_for_selector("#kb-preview >> text=Press Reset and confirm")
    # with a screenshot uploaded and inserted into the text
    alice.set_input_files(
        "#kb-upload",
        files=[{"name": "token.png", "mimeType": "image/png", "buffer": PNG}],
    )
    alice.click("#kb-attachments >> text=Upload")
    alice.click("#kb-attachments >> text=Insert into text")
    alice.wait_for_selector("#kb-preview img[alt='token.png']")
    assert "![token.png](/kb/files/" in alice.input_value("#id_body_md")
    # and a link to another article found by its title
    alice.fill("#link-q", "VPN token")
    alice.click("#link-results >> text=Insert link")
    alice.wait_for_selector("#kb-preview a[href='/kb/en/reset-the-vpn-token/']")
    assert alice.input_value("#id_body_md").endswith(
        ".png)\n[[reset-the-vpn-token|Reset the VPN token]]"
    )
    shot(alice, "kb-edit-en")
    alice.fill("#id_message", "Confirm step")
    alice.click("[data-save]")
    alice.wait_for_selector("text=Article saved.")
    alice.click(".head-action >> text=2 versions")
    assert alice.locator(".kb-diff-add").first.inner_text() == "+2. Press Reset and confirm"
    shot(alice, "kb-versions-en")

    # and sends it to review; she may not publish it herself
    alice.goto(article_url)
    alice.click("button[value=in_review]")
    alice.wait_for_selector("text=Status is now: In review.")
    assert alice.locator("button[value=published]").count() == 0
    shot(alice, "kb-article-en")

    # then a supervisor publishes it, and it appears on the public pages
    sue = sign_in(browser, base_url, SUE)
    sue.goto(article_url)
    sue.click("button[value=published]")
    sue.wait_for_selector("text=Status is now: Published.")
    sue.click("text=Open the published page")
    assert sue.locator("h1").inner_text() == "Reset the VPN token"
    alice.goto("/kb/manage/?status=published")
    assert alice.locator(".kb-articles >> text=Reset the VPN token").count() == 1
    shot(alice, "kb-list-en")

    # when she drafts an article from a ticket's side panel
    alice.goto("/tickets/?queue=all")
    alice.click("text=Shared drive is read-only")
    shot(alice, "kb-ticket-panel-en")
    alice.click("[data-kb-from-ticket]")
    # then the editor opens with the problem and the solution
    alice.wait_for_url(re.compile(r"/kb/manage/\d+/edit/$"))
    assert alice.input_value("#id_title") == "Shared drive is read-only"
    assert "We are restoring your access" in alice.input_value("#id_body_md")
    alice.wait_for_selector("#kb-preview h2 >> text=Solution")
    alice.context.close()
    sue.context.close()


def test_authoring_pages_in_russian_have_no_english_left(browser, base_url):
    # given an agent who switched the interface to Russian
    phrases = english_phrases()
    alice = sign_in(browser, base_url, ALICE, locale="ru-RU")
    alice.click("button[lang=ru]")
    alice.wait_for_selector("html[lang=ru]")
    alice.goto("/kb/manage/new/")
    alice.fill("#id_title", "Принтер не печатает")
    alice.select_option("#id_language", "ru")
    alice.fill("#id_body_md", "Проверьте **бумагу** и [[printer-driver|драйвер]].")
    alice.wait_for_selector("#kb-preview strong >> text=бумагу")
    shot(alice, "kb-editor-ru")
    alice.fill("#id_message", "Первая версия")
    alice.click("[data-save]")
    alice.wait_for_selector(".kb-manage-head .kb-status")
    article_url = alice.url
    pages = [
        ("/kb/manage/", "kb-list-ru"),
        (article_url, "kb-article-ru"),
        (article_url + "edit/", "kb-edit-ru"),
        (article_url + "versions/", "kb-versions-ru"),
    ]
    for url, name in pages:
        # when each authoring page renders
        alice.goto(url)
        shot(alice, name)
        text = alice.locator("body").inner_text()
        # then no English phrase of ours is left
        assert [p for p in phrases if p in text] == [], url
    alice.context.close()
