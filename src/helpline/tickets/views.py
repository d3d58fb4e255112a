"""Ticket views shared by the web UI and the API: the permission-checked file download."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from helpline.core.problems import NotFound
from helpline.tickets import selectors


def attachment_download(user, attachment_id: int) -> FileResponse:
    """Stream a file the user may see, always as a download and never sniffed as HTML."""
    attachment = selectors.get_attachment(user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("The file is missing from storage.") from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    ascii_name = (
        attachment.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    try:
        return attachment_download(request.user, attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
