"""In Chromium: an administrator builds a rule in the form, tests it on a ticket, saves it.

The builder's script (rows added and removed, operators that fit the field, the inputs of
the chosen action) runs for real; the same rule then shows in the ticket page's dry run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.browser import chromium_browser, english_phrases, run_server
from tests.web.test_browser_story import ADAM, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    yield from run_server(tmp_path_factory.mktemp("browser-rules"))


@pytest.fixture(scope="module")
def browser(base_url):
    yield from chromium_browser()


def test_admin_builds_tests_and_saves_a_rule(browser, base_url):
    # given the administrator knows the number of the scanner ticket
    adam = sign_in(browser, base_url, ADAM)
    adam.goto("/tickets/?queue=all")
    adam.click("#ticket-list >> text=Scanner on floor 3 is offline")
    adam.wait_for_url(re.compile(r"/tickets/\d+/$"))
    number = re.search(r"/tickets/(\d+)/", adam.url).group(1)

    # when they open the rules from the navigation and start a new rule
    adam.click(".topnav >> text=Rules")
    adam.wait_for_url("**/rules/")
    adam.click("text=New rule")
    adam.wait_for_url("**/rules/new/")
    adam.fill("#id_name", "Scanners to L2")

    # and pick a number field: only the number operators are offered
    condition = adam.locator("#conditions [data-condition-row]").first
    condition.locator("select[name=c_field]").select_option("message_count")
    enabled = condition.locator("select[name=c_op] option:not([disabled])").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert sorted(enabled) == ["eq", "gt", "gte", "lt", "lte", "ne"]

    # and then a text condition with a broken regular expression
    condition.locator("select[name=c_field]").select_option("subject")
    condition.locator("select[name=c_op]").select_option("regex")
    condition.locator("input[name=c_value]").fill("(scanner")

    # and two actions: tags, and a team (only the inputs of each action are shown)
    action = adam.locator("#actions [data-action-row]").first
    action.locator("select[name=a_action]").select_option("add_tags")
    assert action.locator("[data-param=tags]").is_visible()
    assert not action.locator("[data-param=url]").is_visible()
    action.locator("input[name=a_tags]").fill("scanner, hardware")
    adam.click("text=Add action")
    second = adam.locator("#actions [data-action-row]").nth(1)
    second.locator("select[name=a_field]").select_option("team")
    second.locator("input[name=a_value]").fill("l2")
    adam.click("text=Add condition")
    adam.locator("#conditions [data-condition-row]").nth(1).locator("[data-remove-row]").click()
    assert adam.locator("#conditions [data-condition-row]").count() == 1

    # then testing it says what is wrong with the condition
    adam.fill("#test-ticket", number)
    adam.click("[data-test-rule]")
    adam.wait_for_selector("#rule-test-result >> text=Fix the conditions first")

    # and saving it is refused with the validator's message next to the row
    adam.click("text=Save rule")
    adam.wait_for_selector("#conditions .error")
    assert "Bad regular expression '(scanner'" in adam.locator("#conditions .error").inner_text()
    shot(adam, "rule-form-error-en")

    # when the expression is fixed and the rule tested on the scanner ticket
    adam.locator("#conditions input[name=c_value]").fill(r"\bscanner\b")
    adam.fill("#test-ticket", number)
    adam.click("[data-test-rule]")
    adam.wait_for_selector(f"#rule-test-result >> text=This rule would fire on ticket #{number}.")
    assert "Scanner on floor 3 is offline" in adam.locator("#rule-test-result").inner_text()
    shot(adam, "rule-form-en")

    # then it saves and is listed with its conditions and actions
    adam.click("text=Save rule")
    adam.wait_for_url("**/rules/")
    adam.wait_for_selector("text=Rule saved: Scanners to L2.")
    row = adam.locator("#trigger-created tr", has_text="Scanners to L2")
    assert "subject matches the regular expression \\bscanner\\b" in row.inner_text()
    assert "Add tags: scanner, hardware" in row.inner_text()
    assert "Set a field: team = l2" in row.inner_text()
    shot(adam, "rules-en")

    # and the ticket page's dry run shows it would fire there
    adam.goto(f"/tickets/{number}/")
    adam.click("text=Rules: dry run")
    adam.wait_for_selector(".dry-run-slot >> text=would fire")
    assert "Scanners to L2" in adam.locator(".dry-run-slot").inner_text()
    shot(adam, "ticket-rules-dry-run-en")

    # and the full dry run and the rules page read the same in Russian
    adam.click("text=Open the full dry run")
    adam.wait_for_selector(f"#dry-run-results >> text=ticket #{number}")
    shot(adam, "rules-dry-run-en")
    adam.click(".language-switcher button[value=ru]")
    adam.goto("/rules/")
    assert adam.locator("h1").inner_text() == "Правила"
    assert "Добавить теги: scanner, hardware" in adam.locator("#trigger-created").inner_text()
    shot(adam, "rules-ru")
    phrases = english_phrases()
    adam.click("text=Scanners to L2")
    for url in (adam.url, "/rules/new/?trigger=timer", f"/rules/dry-run/?ticket={number}"):
        adam.goto(url)
        leftovers = [p for p in phrases if p in adam.locator("body").inner_text()]
        assert leftovers == [], (url, leftovers)
    shot(adam, "rules-dry-run-ru")
