"""Attachments: upload, permission-checked download, safe names, size limit, checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from helpline.tickets import services
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import Attachment, TicketEvent
from tests.api.matrix_world import build_world, snapshot
from tests.factories import PASSWORD, auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def upload(client, ticket_id: int, token: str, name: str, content: bytes, **form):
    return client.post(
        f"/api/v1/tickets/{ticket_id}/attachments",
        data={"file": SimpleUploadedFile(name, content, "application/pdf"), **form},
        **auth(token),
    )


def raw_multipart_upload(client, ticket_id: int, token: str, filename: str, content: bytes):
    """Multipart built by hand: the test client would strip the path from the file name."""
    boundary = "----helpline-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST",
        f"/api/v1/tickets/{ticket_id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        **auth(token),
    )


def test_upload_stores_file_with_sha256_and_records_history(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    content = b"%PDF-1.4 invoice"

    response = upload(client, ticket.pk, token, "invoice.pdf", content)

    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get(pk=body["id"])
    assert body["filename"] == "invoice.pdf"
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["url"] == f"/api/v1/attachments/{attachment.pk}"
    assert body["message_id"] is None
    assert attachment.file.read() == content
    event = TicketEvent.objects.get(ticket=ticket, kind="attachment_added")
    assert (event.actor, event.new_value, event.is_internal) == (
        personas.requester,
        "invoice.pdf",
        False,
    )


def test_download_returns_the_exact_bytes_with_safe_headers(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    content = bytes(range(256)) * 10
    attachment_id = upload(client, ticket.pk, token, "dump.bin", content).json()["id"]

    response = client.get(f"/api/v1/attachments/{attachment_id}", **auth(token))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"dump.bin\"; filename*=UTF-8''dump.bin"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_html_upload_is_served_as_a_download_never_inline(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    attachment_id = upload(
        client, ticket.pk, token, "page.html", b"<script>alert(1)</script>"
    ).json()["id"]

    response = client.get(f"/api/v1/attachments/{attachment_id}", **auth(token))

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_path_traversal_name_is_reduced_to_its_last_part(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)

    response = raw_multipart_upload(client, ticket.pk, token, "../../etc/passwd", b"root:x:0:0")

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(pk=response.json()["id"])
    assert attachment.filename == "passwd"
    stored = Path(attachment.file.path).resolve()
    media = Path(django_settings.MEDIA_ROOT).resolve()
    assert stored.is_relative_to(media / "attachments")
    assert "passwd" not in stored.name  # stored under a random name, not the user's
    download = client.get(f"/api/v1/attachments/{attachment.pk}", **auth(token))
    assert download["Content-Disposition"] == (
        "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"
    )


def test_path_traversal_from_a_channel_is_neutralised_too(personas):
    ticket = make_ticket(personas.requester)

    attachment = services.add_attachment(
        personas.l1_agent, ticket, IncomingFile("..\\..\\windows\\win.ini", b"[fonts]")
    )

    assert attachment.filename == "win.ini"
    assert (
        Path(attachment.file.path)
        .resolve()
        .is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    )


def test_quotes_and_newlines_cannot_break_the_content_disposition(client, personas):
    ticket = make_ticket(personas.requester)
    attachment = services.add_attachment(
        personas.requester,
        ticket,
        IncomingFile('evil"\r\nSet-Cookie: a=b;.txt', b"x"),
    )
    token = token_for(personas.requester)

    response = client.get(f"/api/v1/attachments/{attachment.pk}", **auth(token))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2
    assert attachment.filename == "evil_Set-Cookie_ a=b;.txt"
    assert disposition == (
        'attachment; filename="evil_Set-Cookie_ a=b;.txt"; '
        f"filename*=UTF-8''{quote(attachment.filename)}"
    )
    assert "Set-Cookie" not in response.headers


def test_cyrillic_name_is_sent_as_rfc_5987_with_an_ascii_fallback(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    attachment_id = upload(client, ticket.pk, token, "отчёт.pdf", b"%PDF").json()["id"]

    response = client.get(f"/api/v1/attachments/{attachment_id}", **auth(token))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
    )
    assert Attachment.objects.get(pk=attachment_id).filename == "отчёт.pdf"


def test_file_over_the_limit_is_413_problem_and_nothing_is_written(client, personas, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    before = snapshot()

    response = upload(client, ticket.pk, token, "big.pdf", b"x" * 101)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "attachment-too-large"
    assert problem["status"] == 413
    assert snapshot() == before  # no row, no history event, no file on disk


def test_file_exactly_at_the_limit_is_accepted(client, personas, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)

    response = upload(client, ticket.pk, token, "fits.pdf", b"x" * 100)

    assert response.status_code == 201
    assert response.json()["size"] == 100


def test_upload_without_a_file_is_422_problem(client, personas):
    ticket = make_ticket(personas.requester)
    token = token_for(personas.requester)
    before = snapshot()

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", data={"note": "x"}, **auth(token)
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "file" in [e["field"] for e in response.json()["errors"]]
    assert snapshot() == before


def test_upload_to_a_closed_ticket_is_409_and_nothing_is_written(client, personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, "closed")
    token = token_for(personas.requester)
    before = snapshot()

    response = upload(client, ticket.pk, token, "late.pdf", b"late")

    assert response.status_code == 409
    assert response.json()["code"] == "ticket-closed"
    assert snapshot() == before


def test_upload_on_an_internal_note_is_hidden_from_the_requester(client, personas):
    world = build_world(personas)
    agent = token_for(personas.l1_agent)
    requester = token_for(personas.requester)

    response = upload(
        client, world.ticket.pk, agent, "logs.zip", b"PK", message_id=str(world.note.pk)
    )

    assert response.status_code == 201
    attachment_id = response.json()["id"]
    assert TicketEvent.objects.get(new_value="logs.zip").is_internal is True
    listed = client.get(f"/api/v1/tickets/{world.ticket.pk}/attachments", **auth(requester))
    assert [a["filename"] for a in listed.json()] == ["photo.png"]
    assert client.get(f"/api/v1/attachments/{attachment_id}", **auth(requester)).status_code == 404
    history = client.get(f"/api/v1/tickets/{world.ticket.pk}/history", **auth(requester)).json()
    assert "logs.zip" not in [e["new_value"] for e in history]


def test_download_of_someone_elses_attachment_is_404_like_a_missing_one(client, personas):
    world = build_world(personas)
    token = token_for(personas.other_requester)

    theirs = client.get(f"/api/v1/attachments/{world.public_attachment.pk}", **auth(token))
    missing = client.get("/api/v1/attachments/987654", **auth(token))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


# --- the web route -------------------------------------------------------------------


def test_web_download_needs_a_session(client, personas):
    world = build_world(personas)

    response = client.get(f"/attachments/{world.public_attachment.pk}/download")

    assert response.status_code == 302
    assert response["Location"].startswith(django_settings.LOGIN_URL)


@pytest.mark.parametrize(
    ("persona", "which", "status"),
    [
        ("requester", "public_attachment", 200),
        ("colleague", "public_attachment", 200),
        ("other_requester", "public_attachment", 404),
        ("l2_agent", "public_attachment", 404),
        ("l1_agent", "public_attachment", 200),
        ("requester", "note_attachment", 404),
        ("colleague", "note_attachment", 404),
        ("l1_agent", "note_attachment", 200),
        ("agent_other_team", "note_attachment", 404),
        ("supervisor", "note_attachment", 200),
    ],
)
def test_web_download_is_permission_checked(client, personas, persona, which, status):
    world = build_world(personas)
    attachment = getattr(world, which)
    assert client.login(email=getattr(personas, persona).email, password=PASSWORD)

    response = client.get(f"/attachments/{attachment.pk}/download")

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_files_are_stored_outside_the_web_root(client, personas):
    world = build_world(personas)
    media = Path(django_settings.MEDIA_ROOT).resolve()
    stored = Path(world.public_attachment.file.path).resolve()

    assert stored.is_relative_to(media)
    assert django_settings.MEDIA_URL is None
    assert not media.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    relative = stored.relative_to(media).as_posix()
    for url in (f"/media/{relative}", f"/static/{relative}", f"/{relative}"):
        assert client.get(url).status_code == 404
