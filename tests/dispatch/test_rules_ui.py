"""The rules pages (/rules/): list and order, builder form, dry runs, who may do what."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from helpline.dispatch.rule_models import Rule, RuleFiring
from helpline.dispatch.rules import services as rules
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    cache.delete(rules.CACHE_KEY)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_rule(admin, **fields) -> Rule:
    values = {
        "name": "VPN to L2",
        "trigger": "created",
        "conditions": [{"field": "subject", "op": "contains", "value": "vpn"}],
        "actions": [{"action": "set_field", "field": "team", "value": "l2"}],
    }
    values.update(fields)
    return rules.save_rule(admin, **values)


def form_data(**overrides) -> dict:
    data = {
        "name": "Printers to L2",
        "trigger": "created",
        "match": "all",
        "position": "100",
        "is_active": "on",
        "c_field": ["subject", "custom_fields.*"],
        "c_key": ["", "floor"],
        "c_op": ["regex", "in"],
        "c_value": [r"\bprinter\b", "3, 4"],
        "a_action": ["set_field", "add_tags"],
        "a_field": ["team", "team"],
        "a_key": ["", ""],
        "a_value": ["l2", ""],
        "a_tags": ["", "printer, hardware"],
        "a_to": ["", ""],
        "a_subject": ["", ""],
        "a_text": ["", ""],
        "a_status": ["", ""],
        "a_url": ["", ""],
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------


def test_list_shows_rules_per_trigger_in_order_with_firings_and_errors(personas):
    # given two created rules out of id order, one that fired, and one switched off by an error
    second = make_rule(personas.admin, name="Second", position=20)
    first = make_rule(personas.admin, name="First", position=10)
    make_rule(
        personas.admin,
        name="Remind pending",
        trigger="timer",
        conditions=[{"field": "status", "op": "eq", "value": "pending"}],
        actions=[{"action": "add_note", "text": "Remind"}],
    )
    ticket = make_ticket(personas.requester)
    RuleFiring.objects.create(rule=first, ticket=ticket, state_key="created")
    Rule.objects.filter(pk=first.pk).update(fired_count=7)
    Rule.objects.filter(pk=second.pk).update(
        is_active=False,
        last_error="RuleRuntimeError: The regular expression '(a+)+$' took longer than 0.05s.",
        disabled_at=timezone.now(),
    )

    # when the admin opens the rules page
    response = signed_in(personas.admin).get("/rules/")

    # then the rules are in run order per trigger, with counts, state and the error
    page = response.content.decode()
    assert response.status_code == 200
    created = page[page.index('id="trigger-created"') : page.index('id="trigger-updated"')]
    assert created.index("First") < created.index("Second")
    assert "Remind pending" in page[page.index('id="trigger-timer"') :]
    assert '<td class="num">7</td>' in page
    assert "Switched off after an error" in page
    assert "took longer than 0.05s." in page
    assert "Re-enable" in page
    assert "<code>subject contains vpn</code>" in page
    assert "Set a field: team = l2" in page


def test_list_escapes_rule_names(personas):
    make_rule(personas.admin, name="<script>alert(1)</script>")

    page = signed_in(personas.admin).get("/rules/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_list_query_count_does_not_grow_with_rules(personas, django_assert_max_num_queries):
    client = signed_in(personas.admin)
    make_rule(personas.admin, name="one")
    with django_assert_max_num_queries(8) as few:
        client.get("/rules/")
    for n in range(10):
        make_rule(personas.admin, name=f"rule {n}", position=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/rules/").status_code == 200


def test_supervisor_reads_the_list_without_management_controls(personas):
    make_rule(personas.admin)

    page = signed_in(personas.supervisor).get("/rules/").content.decode()

    assert "VPN to L2" in page
    assert "New rule" not in page
    assert "/move/" not in page and "/active/" not in page


def test_navigation_links_rules_for_supervisors_and_admins_only(personas):
    assert 'href="/rules/"' in signed_in(personas.supervisor).get("/tickets/").content.decode()
    assert 'href="/rules/"' in signed_in(personas.admin).get("/tickets/").content.decode()
    assert 'href="/rules/"' not in signed_in(personas.l1_agent).get("/tickets/").content.decode()


# --- create and edit ----------------------------------------------------------------


def test_new_rule_form_offers_the_engines_fields_operators_and_actions(personas):
    from helpline.dispatch.rules.actions import ACTIONS
    from helpline.dispatch.rules.conditions import NUMBER_FIELDS, OPERATORS

    page = signed_in(personas.admin).get("/rules/new/?trigger=timer").content.decode()

    assert all(f'value="{field}" data-kind="number"' in page for field in NUMBER_FIELDS)
    assert all(
        f'<option value="{op}" data-kinds=' in page for ops in OPERATORS.values() for op in ops
    )
    assert all(f'<option value="{action}" data-params=' in page for action in ACTIONS)
    assert '<option value="timer" selected>' in page


def test_admin_creates_a_rule_through_the_builder(personas):
    response = signed_in(personas.admin).post("/rules/new/", form_data())

    assert response.status_code == 302
    assert response["Location"] == "/rules/"
    rule = Rule.objects.get()
    assert (rule.name, rule.trigger, rule.match, rule.is_active) == (
        "Printers to L2",
        "created",
        "all",
        True,
    )
    assert rule.conditions == [
        {"field": "subject", "op": "regex", "value": r"\bprinter\b"},
        {"field": "custom_fields.floor", "op": "in", "value": ["3", "4"]},
    ]
    assert rule.actions == [
        {"action": "set_field", "field": "team", "value": "l2"},
        {"action": "add_tags", "tags": ["printer", "hardware"]},
    ]


def test_builder_types_numbers_and_yes_no_and_skips_values_of_is_set(personas):
    data = form_data(
        trigger="timer",
        match="any",
        c_field=["hours_since_updated", "organization.vip", "assignee"],
        c_key=["", "", ""],
        c_op=["gte", "eq", "is_not_set"],
        c_value=["72", "yes", "ignored"],
        a_action=["send_reply"],
        a_field=["status"],
        a_key=[""],
        a_value=[""],
        a_tags=[""],
        a_to=[""],
        a_subject=[""],
        a_text=["Closing #{number}"],
        a_status=["solved"],
        a_url=[""],
    )

    assert signed_in(personas.admin).post("/rules/new/", data).status_code == 302

    rule = Rule.objects.get()
    assert rule.match == "any"
    assert rule.conditions == [
        {"field": "hours_since_updated", "op": "gte", "value": 72},
        {"field": "organization.vip", "op": "eq", "value": True},
        {"field": "assignee", "op": "is_not_set"},
    ]
    assert rule.actions == [
        {"action": "send_reply", "text": "Closing #{number}", "status": "solved"}
    ]


def test_edit_form_shows_the_rule_and_saves_changes(personas):
    rule = make_rule(personas.admin)
    client = signed_in(personas.admin)

    page = client.get(f"/rules/{rule.pk}/").content.decode()
    assert 'value="VPN to L2"' in page
    assert 'value="vpn"' in page

    response = client.post(
        f"/rules/{rule.pk}/",
        form_data(name="VPN and printers", stop_processing="on", position="5"),
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.position, rule.stop_processing) == ("VPN and printers", 5, True)
    assert Rule.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"c_field": ["subject"], "c_key": [""], "c_op": ["regex"], "c_value": ["(unclosed"]},
            "Bad regular expression '(unclosed'",
        ),
        (
            {"c_field": ["custom_fields.*"], "c_key": [""], "c_op": ["gt"], "c_value": ["3"]},
            "Operator 'gt' cannot be used with 'custom_fields.'",
        ),
        (
            {"c_field": ["shoe_size"], "c_key": [""], "c_op": ["eq"], "c_value": ["42"]},
            "Unknown field 'shoe_size' in a condition.",
        ),
        (
            {"c_field": ["message_count"], "c_key": [""], "c_op": ["gt"], "c_value": ["many"]},
            "&#x27;message_count&#x27; needs a number.",
        ),
        (
            {"a_action": ["call_webhook", "add_tags"], "a_url": ["ftp://x", ""]},
            "call_webhook needs an http(s) url.",
        ),
        (
            {"c_field": [], "c_key": [], "c_op": [], "c_value": [], "trigger": "timer"},
            "A timer rule needs conditions",
        ),
    ],
)
def test_invalid_rule_is_rejected_with_the_validators_message(personas, overrides, message):
    response = signed_in(personas.admin).post("/rules/new/", form_data(**overrides))

    assert response.status_code == 422
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page or message in page
    assert 'role="alert"' in page
    assert Rule.objects.count() == 0


def test_validators_speak_the_admins_language(personas):
    personas.admin.language = "ru"
    personas.admin.save(update_fields=["language"])
    overrides = {"c_field": ["shoe_size"], "c_key": [""], "c_op": ["eq"], "c_value": ["42"]}

    response = signed_in(personas.admin).post("/rules/new/", form_data(**overrides))

    assert response.status_code == 422
    assert "Неизвестное поле &#x27;shoe_size&#x27; в условии." in response.content.decode()


def test_rule_that_would_loop_with_another_is_rejected_and_nothing_saved(personas):
    make_rule(
        personas.admin,
        name="Pending to open",
        trigger="updated",
        conditions=[{"field": "status", "op": "eq", "value": "pending"}],
        actions=[{"action": "set_field", "field": "status", "value": "open"}],
    )
    data = form_data(
        trigger="updated",
        c_field=["status"],
        c_key=[""],
        c_op=["eq"],
        c_value=["open"],
        a_action=["set_field"],
        a_field=["status"],
        a_key=[""],
        a_value=["pending"],
        a_tags=[""],
        a_to=[""],
        a_subject=[""],
        a_text=[""],
        a_status=[""],
        a_url=[""],
    )

    response = signed_in(personas.admin).post("/rules/new/", data)

    assert response.status_code == 422
    assert "would trigger each other endlessly" in response.content.decode()
    assert Rule.objects.count() == 1


def test_more_actions_than_the_api_allows_are_refused(personas):
    empty = [""] * 21
    data = form_data(
        a_action=["add_tags"] * 21,
        a_tags=[f"t{n}" for n in range(21)],
        **{
            f"a_{name}": empty
            for name in ("field", "key", "value", "to", "subject", "text", "status", "url")
        },
    )

    response = signed_in(personas.admin).post("/rules/new/", data)

    assert response.status_code == 422
    assert "at most 50 conditions and 20 actions" in response.content.decode()
    assert Rule.objects.count() == 0


def test_rejected_form_keeps_what_was_typed(personas):
    data = form_data(c_value=["(unclosed", "3, 4"])

    page = signed_in(personas.admin).post("/rules/new/", data).content.decode()

    assert 'value="Printers to L2"' in page
    assert 'value="(unclosed"' in page
    assert 'value="printer, hardware"' in page


# --- order and on/off ---------------------------------------------------------------


def test_moving_a_rule_up_swaps_it_with_its_neighbour_of_the_same_trigger(personas):
    a = make_rule(personas.admin, name="A", position=100)
    b = make_rule(personas.admin, name="B", position=100)
    c = make_rule(personas.admin, name="C", position=100)
    timer = make_rule(
        personas.admin,
        name="T",
        trigger="timer",
        position=1,
        actions=[{"action": "add_note", "text": "x"}],
    )

    response = signed_in(personas.admin).post(f"/rules/{c.pk}/move/", {"direction": "up"})

    assert response.status_code == 302
    order = list(Rule.objects.filter(trigger="created").order_by("position", "id"))
    assert [r.name for r in order] == ["A", "C", "B"]
    assert [r.position for r in order] == [10, 20, 30]
    timer.refresh_from_db()
    assert timer.position == 1
    assert a.pk and b.pk


def test_moving_the_last_rule_down_changes_nothing(personas):
    a = make_rule(personas.admin, name="A", position=10)
    b = make_rule(personas.admin, name="B", position=20)

    signed_in(personas.admin).post(f"/rules/{b.pk}/move/", {"direction": "down"})

    assert list(Rule.objects.order_by("position").values_list("pk", "position")) == [
        (a.pk, 10),
        (b.pk, 20),
    ]


def test_disable_and_re_enable_clears_the_runtime_error(personas):
    rule = make_rule(personas.admin)
    client = signed_in(personas.admin)

    client.post(f"/rules/{rule.pk}/active/", {"active": "0"})
    rule.refresh_from_db()
    assert rule.is_active is False

    Rule.objects.filter(pk=rule.pk).update(
        last_error="RuleRuntimeError: slow", disabled_at=timezone.now()
    )
    response = client.post(f"/rules/{rule.pk}/active/", {"active": "1"}, follow=True)

    rule.refresh_from_db()
    assert (rule.is_active, rule.last_error, rule.disabled_at) == (True, "", None)
    assert "Rule enabled: VPN to L2." in response.content.decode()


def test_re_enabling_a_rule_that_is_now_invalid_says_why_and_leaves_it_off(personas):
    rule = make_rule(personas.admin, is_active=False)
    Rule.objects.filter(pk=rule.pk).update(
        conditions=[{"field": "gone_field", "op": "eq", "value": "x"}]
    )

    response = signed_in(personas.admin).post(
        f"/rules/{rule.pk}/active/", {"active": "1"}, follow=True
    )

    rule.refresh_from_db()
    assert rule.is_active is False
    assert "Unknown field &#x27;gone_field&#x27; in a condition." in response.content.decode()


# --- dry run ------------------------------------------------------------------------


def test_dry_run_shows_each_active_rule_and_each_conditions_expected_and_actual(personas):
    vpn_rule = make_rule(personas.admin, name="VPN to L2")
    printers_rule = make_rule(
        personas.admin,
        name="Printers",
        match="any",
        conditions=[
            {"field": "subject", "op": "contains", "value": "printer"},
            {"field": "message_count", "op": "gt", "value": 5},
        ],
    )
    make_rule(personas.admin, name="Switched off", is_active=False)
    ticket = make_ticket(personas.requester, subject="Printer is jammed")

    response = signed_in(personas.supervisor).get(f"/rules/dry-run/?ticket={ticket.number}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Switched off" not in page
    vpn = page[
        page.index(f'data-rule="{vpn_rule.pk}"') : page.index(f'data-rule="{printers_rule.pk}"')
    ]
    assert "VPN to L2" in vpn
    assert "would not fire" in vpn and "<code>subject</code>" in vpn
    printers = page[page.index(f'data-rule="{printers_rule.pk}"') :]
    assert "would fire" in printers
    assert '<code class="break-anywhere">printer</code>' in printers
    assert '<code class="break-anywhere">Printer is jammed</code>' in printers
    assert "is more than" in printers


def test_dry_run_of_an_unknown_ticket_says_so(personas):
    page = signed_in(personas.admin).get("/rules/dry-run/?ticket=999999").content.decode()

    assert "There is no ticket #999999." in page


def test_dry_run_panel_is_on_the_ticket_page_for_supervisors_only(personas):
    ticket = make_ticket(personas.requester)
    url = f"/tickets/{ticket.number}/"

    assert "Rules: dry run" in signed_in(personas.supervisor).get(url).content.decode()
    assert "Rules: dry run" not in signed_in(personas.l1_agent).get(url).content.decode()


def test_dry_run_partial_for_the_ticket_panel_is_compact_without_a_page_around_it(personas):
    make_rule(personas.admin)
    ticket = make_ticket(personas.requester, subject="VPN is down")

    page = (
        signed_in(personas.admin)
        .get(f"/rules/dry-run/?ticket={ticket.number}&compact=1", HTTP_HX_REQUEST="true")
        .content.decode()
    )

    assert page.startswith('<div id="dry-run-results">')
    assert "would fire" in page
    assert '<ul class="plain verdicts-compact">' in page
    assert "<table" not in page


def test_testing_the_form_evaluates_the_typed_conditions_and_saves_nothing(personas):
    ticket = make_ticket(personas.requester, subject="Printer on floor 3")
    data = form_data(
        test_ticket=str(ticket.number),
        c_field=["subject"],
        c_key=[""],
        c_op=["regex"],
        c_value=[r"\bprinter\b"],
    )

    response = signed_in(personas.admin).post("/rules/test/", data)

    page = response.content.decode()
    assert f"This rule would fire on ticket #{ticket.number}." in page
    assert "Printer on floor 3" in page
    assert Rule.objects.count() == 0


def test_testing_the_form_with_a_bad_condition_names_it(personas):
    ticket = make_ticket(personas.requester)
    data = form_data(
        test_ticket=str(ticket.number),
        c_field=["subject"],
        c_key=[""],
        c_op=["regex"],
        c_value=["("],
    )

    page = signed_in(personas.admin).post("/rules/test/", data).content.decode()

    assert "Fix the conditions first" in page
    assert "Condition 1:" in page and "Bad regular expression" in page


# --- who may do what ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("requester", 404), ("l1_agent", 403), ("supervisor", 200), ("admin", 200)],
)
def test_who_may_read_the_rules_and_dry_run(personas, persona, status):
    ticket = make_ticket(personas.requester)
    client = signed_in(getattr(personas, persona))

    assert client.get("/rules/").status_code == status
    assert client.get(f"/rules/dry-run/?ticket={ticket.number}").status_code == status


@pytest.mark.parametrize(
    ("persona", "status"), [("requester", 404), ("l1_agent", 403), ("supervisor", 403)]
)
def test_only_admins_write_rules_and_a_refusal_leaves_nothing_behind(personas, persona, status):
    rule = make_rule(personas.admin, name="A", position=10)
    make_rule(personas.admin, name="B", position=20)
    client = signed_in(getattr(personas, persona))

    assert client.get("/rules/new/").status_code == status
    assert client.get(f"/rules/{rule.pk}/").status_code == status
    assert client.post("/rules/new/", form_data()).status_code == status
    assert client.post(f"/rules/{rule.pk}/", form_data(name="Hijacked")).status_code == status
    assert client.post(f"/rules/{rule.pk}/move/", {"direction": "down"}).status_code == status
    assert client.post(f"/rules/{rule.pk}/active/", {"active": "0"}).status_code == status

    assert list(Rule.objects.order_by("position").values_list("name", "position", "is_active")) == [
        ("A", 10, True),
        ("B", 20, True),
    ]


def test_anonymous_is_sent_to_sign_in(personas):
    response = Client().get("/rules/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/rules/")


def test_writes_need_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)

    assert client.post("/rules/new/", form_data()).status_code == 403
    assert Rule.objects.count() == 0


def test_unknown_rule_is_not_found(personas):
    assert signed_in(personas.admin).get("/rules/999999/").status_code == 404
