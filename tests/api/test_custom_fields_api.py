"""Custom fields: defined by admins per type or category, validated on every write, filterable."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from helpline.tickets import services
from helpline.tickets.models import Category, CustomField, Ticket, TicketEvent
from tests.api.matrix_world import snapshot
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


@dataclass
class Fields:
    child_category: Category  # "Laser printers", under "Printers"


@pytest.fixture
def fields(personas) -> Fields:
    admin = personas.admin
    services.save_custom_field(admin, key="asset_tag", label="Asset tag", field_type="text")
    services.save_custom_field(
        admin,
        key="cost",
        label="Cost",
        field_type="number",
        ticket_type="service_request",
    )
    services.save_custom_field(admin, key="purchase_date", label="Bought", field_type="date")
    services.save_custom_field(
        admin,
        key="printer_model",
        label="Printer model",
        field_type="choice",
        choices=["HP", "Canon", "Принтер-М"],
        required=True,
        category=personas.category,
    )
    services.save_custom_field(
        admin,
        key="affected_os",
        label="Affected OS",
        field_type="multi_choice",
        choices=["Windows", "macOS", "Linux", "Астра"],
    )
    services.save_custom_field(admin, key="approver", label="Approver", field_type="user")
    child = services.save_category(
        admin, name="Laser printers", slug="laser", parent_id=personas.category.pk
    )
    return Fields(child_category=child)


def post(client, token, body):
    return client.post(
        "/api/v1/tickets", data=json.dumps(body), content_type="application/json", **auth(token)
    )


def patch(client, token, ticket_id, body):
    return client.patch(
        f"/api/v1/tickets/{ticket_id}",
        data=json.dumps(body),
        content_type="application/json",
        **auth(token),
    )


def errors_of(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["code"] == "invalid-custom-fields"
    return {e["field"]: e["message"] for e in problem["errors"]}


def test_valid_values_of_every_type_are_stored_cleaned(client, personas, fields):
    token = token_for(personas.l1_agent)

    response = post(
        client,
        token,
        {
            "subject": "New laptop",
            "body": "for the new hire",
            "type": "service_request",
            "category_id": personas.category.pk,
            "custom_fields": {
                "asset_tag": "INV-0042",
                "cost": "1250.50",
                "purchase_date": "2026-02-28",
                "printer_model": "Принтер-М",
                "affected_os": ["Linux", "Windows", "Linux"],
                "approver": personas.supervisor.pk,
            },
        },
    )

    assert response.status_code == 201, response.content
    expected = {
        "asset_tag": "INV-0042",
        "cost": 1250.5,
        "purchase_date": "2026-02-28",
        "printer_model": "Принтер-М",
        "affected_os": ["Windows", "Linux"],
        "approver": personas.supervisor.pk,
    }
    assert response.json()["custom_fields"] == expected
    assert Ticket.objects.get().custom_fields == expected


def test_every_invalid_value_is_reported_at_once_and_nothing_is_written(client, personas, fields):
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = post(
        client,
        token,
        {
            "subject": "x",
            "body": "y",
            "type": "service_request",
            "custom_fields": {
                "asset_tag": 42,
                "cost": "twelve",
                "purchase_date": "31.02.2026",
                "affected_os": "Linux",
                "approver": 10**9,
                "colour": "red",
            },
        },
    )

    assert response.status_code == 422
    assert errors_of(response) == {
        "custom_fields.asset_tag": "must be text",
        "custom_fields.cost": "must be a number",
        "custom_fields.purchase_date": "must be a date as YYYY-MM-DD",
        "custom_fields.affected_os": "must be a list of values from Windows, macOS, Linux, Астра",
        "custom_fields.approver": "must be the id of an existing user",
        "custom_fields.colour": "unknown custom field",
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cost", True, "must be a number"),
        ("cost", "NaN", "must be a finite number"),
        ("cost", "Infinity", "must be a finite number"),
        ("cost", [1], "must be a number"),
        ("purchase_date", 20260101, "must be a date as YYYY-MM-DD"),
        ("affected_os", ["BeOS"], "must be a list of values from Windows, macOS, Linux, Астра"),
        ("approver", "1", "must be the id of an existing user"),
        ("approver", True, "must be the id of an existing user"),
        ("asset_tag", "x" * 2001, "must be at most 2000 characters"),
        ("asset_tag", {"nested": 1}, "must be text"),
    ],
)
def test_wrong_types_are_422_per_field(client, personas, fields, key, value, message):
    token = token_for(personas.l1_agent)

    response = post(
        client,
        token,
        {"subject": "x", "body": "y", "type": "service_request", "custom_fields": {key: value}},
    )

    assert response.status_code == 422
    assert errors_of(response) == {f"custom_fields.{key}": message}
    assert Ticket.objects.count() == 0


def test_required_field_of_a_category_is_enforced(client, personas, fields):
    token = token_for(personas.requester)

    response = post(
        client, token, {"subject": "Jam", "body": "again", "category_id": personas.category.pk}
    )

    assert response.status_code == 422
    assert errors_of(response) == {"custom_fields.printer_model": "is required"}
    assert Ticket.objects.count() == 0


def test_required_field_of_a_parent_category_applies_to_its_children(client, personas, fields):
    token = token_for(personas.requester)
    body = {"subject": "Jam", "body": "again", "category_id": fields.child_category.pk}

    refused = post(client, token, body)
    accepted = post(client, token, {**body, "custom_fields": {"printer_model": "HP"}})

    assert errors_of(refused) == {"custom_fields.printer_model": "is required"}
    assert accepted.status_code == 201
    assert accepted.json()["custom_fields"] == {"printer_model": "HP"}


def test_category_field_is_unknown_outside_its_category(client, personas, fields):
    token = token_for(personas.requester)

    response = post(
        client, token, {"subject": "Mail", "body": "x", "custom_fields": {"printer_model": "HP"}}
    )

    assert errors_of(response) == {"custom_fields.printer_model": "unknown custom field"}


def test_type_scoped_field_only_applies_to_its_type(client, personas, fields):
    token = token_for(personas.l1_agent)
    body = {"subject": "Buy", "body": "x", "custom_fields": {"cost": 10}}

    incident = post(client, token, body)
    request = post(client, token, {**body, "type": "service_request"})

    assert errors_of(incident) == {"custom_fields.cost": "unknown custom field"}
    assert request.status_code == 201
    assert request.json()["custom_fields"] == {"cost": 10}


def test_patch_changes_values_and_records_each_in_history(client, personas, fields):
    ticket = make_ticket(
        personas.requester, custom_fields={"asset_tag": "INV-1", "affected_os": ["Linux"]}
    )
    token = token_for(personas.l1_agent)

    response = patch(
        client,
        token,
        ticket.pk,
        {
            "custom_fields": {
                "asset_tag": "INV-2",
                "affected_os": None,
                "purchase_date": "2025-12-01",
            },
            "reason": "checked on site",
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["custom_fields"] == {"asset_tag": "INV-2", "purchase_date": "2025-12-01"}
    changed = TicketEvent.objects.filter(ticket=ticket, kind="custom_field_changed").order_by(
        "field"
    )
    assert [(e.field, e.old_value, e.new_value, e.reason, e.actor) for e in changed] == [
        ("custom_fields.affected_os", "['Linux']", "", "checked on site", personas.l1_agent),
        ("custom_fields.asset_tag", "INV-1", "INV-2", "checked on site", personas.l1_agent),
        ("custom_fields.purchase_date", "", "2025-12-01", "checked on site", personas.l1_agent),
    ]


def test_invalid_patch_changes_nothing(client, personas, fields):
    ticket = make_ticket(personas.requester, custom_fields={"asset_tag": "INV-1"})
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = patch(
        client,
        token,
        ticket.pk,
        {"subject": "Renamed", "custom_fields": {"asset_tag": "INV-2", "purchase_date": "soon"}},
    )

    assert errors_of(response) == {"custom_fields.purchase_date": "must be a date as YYYY-MM-DD"}
    assert snapshot() == before


def test_moving_a_ticket_into_a_category_enforces_its_required_fields(client, personas, fields):
    ticket = make_ticket(personas.requester, subject="Prints blank pages")
    token = token_for(personas.l1_agent)
    before = snapshot()

    refused = patch(client, token, ticket.pk, {"category_id": personas.category.pk})

    assert errors_of(refused) == {"custom_fields.printer_model": "is required"}
    assert snapshot() == before
    accepted = patch(
        client,
        token,
        ticket.pk,
        {"category_id": personas.category.pk, "custom_fields": {"printer_model": "Canon"}},
    )
    assert accepted.status_code == 200
    assert accepted.json()["custom_fields"] == {"printer_model": "Canon"}


def test_null_custom_fields_in_a_patch_is_harmless(client, personas, fields):
    ticket = make_ticket(personas.requester, custom_fields={"asset_tag": "INV-1"})
    token = token_for(personas.l1_agent)

    response = patch(client, token, ticket.pk, {"custom_fields": None})

    assert response.status_code == 200
    assert response.json()["custom_fields"] == {"asset_tag": "INV-1"}


# --- filters -------------------------------------------------------------------------


@pytest.fixture
def filter_tickets(personas, fields) -> dict[str, Ticket]:
    agent = personas.l1_agent
    return {
        "hp": make_ticket(
            personas.requester,
            actor=agent,
            category=personas.category,
            custom_fields={
                "printer_model": "HP",
                "affected_os": ["Windows", "Linux"],
                "asset_tag": "INV-1",
                "approver": personas.supervisor.pk,
            },
        ),
        "canon": make_ticket(
            personas.requester,
            actor=agent,
            category=personas.category,
            custom_fields={"printer_model": "Canon", "affected_os": ["Астра"]},
        ),
        "purchase": make_ticket(
            personas.requester,
            actor=agent,
            type="service_request",
            custom_fields={"cost": 12.5, "purchase_date": "2026-01-31", "affected_os": ["macOS"]},
        ),
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("cf_printer_model=HP", ["hp"]),
        ("cf_printer_model=Canon", ["canon"]),
        ("cf_affected_os=Linux", ["hp"]),
        ("cf_affected_os=Windows", ["hp"]),
        ("cf_affected_os=Астра", ["canon"]),
        ("cf_affected_os=macOS", ["purchase"]),
        ("cf_cost=12.5", ["purchase"]),
        ("cf_cost=12.50", ["purchase"]),
        ("cf_cost=13", []),
        ("cf_purchase_date=2026-01-31", ["purchase"]),
        ("cf_asset_tag=INV-1", ["hp"]),
        ("cf_printer_model=HP&cf_affected_os=Linux", ["hp"]),
        ("cf_printer_model=HP&cf_affected_os=macOS", []),
    ],
)
def test_list_filters_by_custom_field(client, personas, filter_tickets, query, names):
    token = token_for(personas.supervisor)

    response = client.get(f"/api/v1/tickets?{query}", **auth(token))

    assert response.status_code == 200, response.content
    expected = sorted(filter_tickets[name].pk for name in names)
    assert sorted(item["id"] for item in response.json()["items"]) == expected


def test_list_filters_by_user_field(client, personas, filter_tickets):
    token = token_for(personas.supervisor)

    response = client.get(f"/api/v1/tickets?cf_approver={personas.supervisor.pk}", **auth(token))

    assert [item["id"] for item in response.json()["items"]] == [filter_tickets["hp"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "cf_colour=red",
        "cf_=x",
        "cf_cost=twelve",
        "cf_purchase_date=yesterday",
        "cf_printer_model=Epson",
        "cf_affected_os=BeOS",
        "cf_approver=me",
        "cf_asset_tag__regex=.*",
    ],
)
def test_bad_custom_field_filters_are_400_problems(client, personas, filter_tickets, query):
    token = token_for(personas.supervisor)

    response = client.get(f"/api/v1/tickets?{query}", **auth(token))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-filter"


def test_custom_field_filter_respects_visibility(client, personas, filter_tickets):
    token = token_for(personas.other_requester)

    response = client.get("/api/v1/tickets?cf_printer_model=HP", **auth(token))

    assert response.json()["items"] == []


# --- definitions ---------------------------------------------------------------------


def test_admin_defines_a_field_and_it_is_listed(client, personas):
    token = token_for(personas.admin)

    response = client.post(
        "/api/v1/custom-fields",
        data=json.dumps(
            {
                "key": "room",
                "label": "Room",
                "label_ru": "Кабинет",
                "field_type": "choice",
                "choices": ["101", "102"],
                "category_id": personas.category.pk,
                "ticket_type": "incident",
                "required": True,
            }
        ),
        content_type="application/json",
        **auth(token),
    )

    assert response.status_code == 201, response.content
    listed = client.get("/api/v1/custom-fields", **auth(token_for(personas.requester))).json()
    assert listed == [
        {
            "id": response.json()["id"],
            "key": "room",
            "label": "Room",
            "label_ru": "Кабинет",
            "field_type": "choice",
            "choices": ["101", "102"],
            "required": True,
            "ticket_type": "incident",
            "category_id": personas.category.pk,
            "is_active": True,
        }
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"key": "x", "label": "X", "field_type": "colour"}, 422, "invalid-field-type"),
        ({"key": "x", "label": "X", "field_type": "choice"}, 422, "choices-required"),
        ({"key": "asset_tag", "label": "X", "field_type": "text"}, 409, "duplicate-key"),
        ({"key": "a__regex", "label": "X", "field_type": "text"}, 422, "validation-error"),
        ({"key": "Bad Key", "label": "X", "field_type": "text"}, 422, "validation-error"),
        (
            {"key": "x", "label": "X", "field_type": "text", "category_id": 10**6},
            422,
            "invalid-reference",
        ),
    ],
)
def test_invalid_definitions_are_refused(client, personas, fields, body, status, code):
    token = token_for(personas.admin)
    count = CustomField.objects.count()

    response = client.post(
        "/api/v1/custom-fields",
        data=json.dumps(body),
        content_type="application/json",
        **auth(token),
    )

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert CustomField.objects.count() == count


@pytest.mark.parametrize("value", ["20260101", "2026-W01-1", "2026-1-1", " 2026-01-01"])
def test_dates_must_be_written_yyyy_mm_dd(client, personas, fields, value):
    token = token_for(personas.l1_agent)

    response = post(
        client, token, {"subject": "x", "body": "y", "custom_fields": {"purchase_date": value}}
    )

    assert errors_of(response) == {"custom_fields.purchase_date": "must be a date as YYYY-MM-DD"}
