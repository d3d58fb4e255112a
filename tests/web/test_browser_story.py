"""End to end in Chromium against the real ASGI server (HTTP + WebSockets).

The story: an L1 operator logs a phone call and escalates it; the L2 specialist sees it
arrive live and replies; the requester answers in the portal, marks it solved and rates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.browser import (
    PASSWORD,
    ROOT,
    SCREENSHOTS,
    chromium_browser,
    english_phrases,
    run_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

RITA = "rita@acme.example"
OSCAR = "oscar@other.example"
ALICE = "alice@helpline.test"
BOB = "bob@helpline.test"
SUE = "sue@helpline.test"
ADAM = "adam@helpline.test"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    yield from run_server(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def browser(base_url):
    yield from chromium_browser()


def sign_in(browser, base_url: str, email: str, *, viewport=(1360, 860), locale="en-GB"):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": viewport[0], "height": viewport[1]},
        locale=locale,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("form button.button-primary")
    page.wait_for_url(re.compile(r"/(tickets|portal)/"))
    return page


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def live(page) -> None:
    """Wait until the page's WebSocket is connected."""
    page.wait_for_function("document.body.dataset.liveState === 'open'")


def test_phone_call_escalated_answered_solved_and_rated(browser, base_url):
    # given the L2 specialist watches the unassigned queue of their team
    bob = sign_in(browser, base_url, BOB)
    bob.goto("/tickets/?queue=unassigned")
    live(bob)
    bob.evaluate("window.__notReloaded = true")
    shot(bob, "workspace-empty-en")

    # when the L1 operator logs a phone call for an existing requester
    alice = sign_in(browser, base_url, ALICE)
    shot(alice, "workspace-en")
    alice.goto("/tickets/new/")
    alice.fill("#requester-q", "Rita")
    alice.click("[data-pick-requester]")
    alice.fill("#id_subject", "Printer on floor 2 jams")
    alice.fill("#id_body", "Caller says the **printer** jams on every page.")
    alice.select_option("#id_category", label="Printers")
    shot(alice, "new-ticket-en")
    alice.click("text=Create ticket")
    alice.wait_for_url(re.compile(r"/tickets/\d+/$"))
    number = int(re.search(r"/tickets/(\d+)/", alice.url).group(1))
    assert alice.locator(".badges").inner_text().count("Phone") == 1
    assert alice.locator(".msg-body strong").inner_text() == "printer"

    # and escalates it to L2 with a reason
    alice.fill("#e-reason", "Needs the print server driver reinstalled")
    alice.click("#escalate button[type=submit]")
    # (L1 no longer sees an L2 ticket: the operator is back in the workspace)
    alice.wait_for_selector("text=Escalated to L2 Desktop.")
    assert alice.url.endswith("/tickets/")

    # then it appears in the specialist's queue without a reload
    bob.wait_for_selector("#ticket-list >> text=Printer on floor 2 jams")
    assert bob.evaluate("window.__notReloaded") is True
    assert bob.locator("[data-count=unassigned]").inner_text() == "1"

    # when the specialist replies
    bob.click("text=Printer on floor 2 jams")
    bob.wait_for_url(f"**/tickets/{number}/")
    shot(bob, "ticket-en")
    timeline = bob.locator("#timeline").inner_text()
    assert "Needs the print server driver reinstalled" in timeline
    assert "moved the ticket from team L1 Service Desk to L2 Desktop" in timeline
    bob.fill("#id_body", "Please switch the printer off and on; the new driver is installed.")
    bob.click("#composer >> text=Preview")
    assert "the new driver is installed" in bob.locator("#preview .msg-body").inner_text()
    bob.click("[data-send]")
    bob.wait_for_selector("text=Reply sent.")

    # then the requester sees the reply in the portal, but no internal history
    rita = sign_in(browser, base_url, RITA)
    shot(rita, "portal-en")
    rita.click("text=Printer on floor 2 jams")
    conversation = rita.locator("#conversation").inner_text()
    assert "the new driver is installed" in conversation
    assert "print server driver reinstalled" not in rita.content()

    # when the requester answers, marks it solved and rates it
    rita.fill("#id_body", "It works now, thank you!")
    rita.set_input_files(
        "input[name=attachments]",
        files=[{"name": "test-page.txt", "mimeType": "text/plain", "buffer": b"printed fine"}],
    )
    assert rita.locator("[data-file-list]").inner_text() == "test-page.txt"
    rita.click("text=Send reply")
    rita.wait_for_selector("text=Your reply is sent.")
    rita.click("text=My problem is solved")
    rita.wait_for_selector("text=How did we do?")
    rita.click("label[for=star5]")
    rita.fill("#id_comment", "Fast and friendly")
    shot(rita, "portal-ticket-en")
    rita.click("text=Send rating")
    rita.wait_for_selector("text=Thank you for your rating.")

    # then the specialist sees the answer, the status and the rating on the ticket page
    bob.reload()
    assert "It works now, thank you!" in bob.locator("#timeline").inner_text()
    assert bob.locator("#timeline .attachments a").inner_text() == "test-page.txt"
    assert bob.locator(".badges .status").inner_text() == "Solved"
    assert "5/5" in bob.locator(".rating").inner_text()
    assert "Fast and friendly" in bob.locator(".rating").inner_text()
    for page in (alice, bob, rita):
        page.context.close()


def test_requester_cannot_open_another_requesters_ticket(browser, base_url):
    # given Rita's ticket (seeded) and Oscar, another requester
    rita = sign_in(browser, base_url, RITA)
    href = rita.locator(".portal-list a").first.get_attribute("href")
    oscar = sign_in(browser, base_url, OSCAR)
    # when Oscar opens its URL, or an agent page
    response = oscar.goto(href)
    agent_page = oscar.goto("/tickets/")
    # then both are refused
    assert response.status == 404
    assert agent_page.status == 403
    rita.context.close()
    oscar.context.close()


def test_collision_warning_when_two_agents_reply_at_once(browser, base_url):
    # given two agents on the same ticket
    sue = sign_in(browser, base_url, SUE)
    sue.goto("/tickets/?queue=all")
    sue.click("text=Shared drive is read-only")
    live(sue)
    adam = sign_in(browser, base_url, ADAM)
    adam.goto(sue.url)
    live(adam)
    # then each sees the other, and sees them typing
    sue.wait_for_selector("#presence >> text=Adam Admin")
    adam.wait_for_selector("#presence >> text=Sue Supervisor")
    adam.fill("#id_body", "I am on it")
    adam.type("#id_body", "!")
    sue.wait_for_selector("#presence .is-typing")
    # when Sue sends first and Adam sends the reply he wrote meanwhile
    sue.fill("#id_body", "Access restored, please check.")
    sue.click("[data-send]")
    sue.wait_for_selector("text=Reply sent.")
    adam.click("[data-send]")
    # then Adam is warned and his text is kept; sending again goes through
    adam.wait_for_selector("#collision-warning")
    assert adam.input_value("#id_body") == "I am on it!"
    assert "Access restored, please check." in adam.locator("#timeline").inner_text()
    adam.click("text=Send anyway")
    adam.wait_for_selector("text=Reply sent.")
    sue.context.close()
    adam.context.close()


def test_side_panel_follows_a_change_made_by_another_agent(browser, base_url):
    # given Sue has a ticket assigned to Alice open
    sue = sign_in(browser, base_url, SUE)
    sue.goto("/tickets/?queue=all")
    sue.click("text=Accounting server unreachable")
    live(sue)
    sue.evaluate("window.__notReloaded = true")
    assert "Alice L1" in sue.locator("#side-panel .facts").inner_text()
    # when Adam takes the ticket on his own page
    adam = sign_in(browser, base_url, ADAM)
    adam.goto(sue.url)
    adam.click("#take-form button")
    adam.wait_for_selector("text=The ticket is assigned to you.")
    # then Sue's side panel shows the new assignee without a reload
    sue.wait_for_function(
        "document.querySelector('#side-panel .facts').innerText.includes('Adam Admin')"
    )
    assert sue.evaluate("window.__notReloaded") is True
    # and while Sue types a reason in the panel, a change (Adam lowers the priority) does
    # not wipe it: she is told instead
    # (the escalation form is open on an L1 ticket)
    sue.fill("#e-reason", "Needs the network team")
    adam.click("text=Change priority")
    adam.select_option("#pr-priority", "P4")
    adam.fill("#pr-reason", "Month-end closing")
    adam.click("form[action$='/act/priority/'] button[type=submit]")
    adam.wait_for_selector("text=Priority changed.")
    sue.wait_for_selector("#panel-note", state="visible")
    assert sue.input_value("#e-reason") == "Needs the network team"
    assert sue.evaluate("window.__notReloaded") is True
    sue.context.close()
    adam.context.close()


def test_russian_interface_has_no_untranslated_phrases(browser, base_url):
    # given an agent and a requester who switch the interface to Russian
    phrases = english_phrases()
    assert len(phrases) > 100
    agent = sign_in(browser, base_url, ALICE, locale="ru-RU")
    agent.click("button[lang=ru]")
    agent.wait_for_selector("html[lang=ru]")
    requester = sign_in(browser, base_url, RITA, locale="ru-RU")
    requester.click("button[lang=ru]")
    requester.wait_for_selector("html[lang=ru]")
    agent.goto("/tickets/?queue=all")
    agent.click("text=Shared drive is read-only")
    ticket_url = agent.url
    requester.goto("/portal/")
    requester.click("text=Shared drive is read-only")
    portal_ticket_url = requester.url
    anonymous = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    anonymous.goto("/login/")
    anonymous.click("button[lang=ru]")
    anonymous.wait_for_selector("html[lang=ru]")
    pages = [
        (agent, "/tickets/?queue=all", "workspace-ru"),
        (agent, ticket_url, "ticket-ru"),
        (agent, "/tickets/new/", "new-ticket-ru"),
        (agent, "/profile/", "profile-ru"),
        (requester, "/portal/", "portal-ru"),
        (requester, "/portal/new/", "portal-new-ru"),
        (requester, portal_ticket_url, "portal-ticket-ru"),
        (anonymous, "/login/", "sign-in-ru"),
        (anonymous, "/login/link/", "magic-link-ru"),
    ]
    for page, url, name in pages:
        # when each main page renders
        page.goto(url)
        shot(page, name)
        text = page.locator("body").inner_text()
        # then no English phrase of ours is left
        leftovers = [p for p in phrases if p in text]
        assert leftovers == [], (url, leftovers)
    agent.keyboard.press("?")
    assert agent.locator("#shortcuts-help").is_visible()
    agent.keyboard.press("Escape")
    agent.goto("/tickets/?queue=all")
    agent.keyboard.press("j")
    agent.keyboard.press("j")
    assert (
        agent.locator("tr.is-current .num").inner_text()
        == agent.locator("tr[data-row] .num").nth(1).inner_text()
    )
    agent.context.close()
    requester.context.close()
    anonymous.context.close()


def test_phone_layout_has_no_horizontal_scroll(browser, base_url):
    page = sign_in(browser, base_url, ALICE, viewport=(390, 800))
    for url in ("/tickets/new/", "/tickets/?queue=all"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, url
    shot(page, "workspace-phone")
    page.context.close()


def test_screenshot_directory_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text()
    assert "test-artifacts/" in ignored
    assert Path(SCREENSHOTS).is_relative_to(ROOT / "test-artifacts")
