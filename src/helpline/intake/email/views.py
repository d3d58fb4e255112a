"""Downloads of received mail: inline images by Content-ID, and the raw .eml for agents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from helpline.core.problems import NotFound
from helpline.intake.email import selectors
from helpline.tickets.views import attachment_download


@login_required
def inline_image(request: HttpRequest, ledger_id: int, content_id: str) -> HttpResponse:
    """The stored attachment behind a cid: image (the attachment's own permission check)."""
    try:
        return attachment_download(
            request.user, selectors.inline_attachment_id(ledger_id, content_id)
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def raw_email(request: HttpRequest, ledger_id: int) -> HttpResponse:
    """The original message as received, for agents (internal: never shown to requesters)."""
    try:
        row = selectors.raw_email_for(request.user, ledger_id)
        handle = row.raw.open("rb")
    except (NotFound, FileNotFoundError, ValueError) as exc:
        raise Http404("No such e-mail.") from exc
    response = FileResponse(
        handle, content_type="message/rfc822", as_attachment=True, filename=f"email-{row.pk}.eml"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
