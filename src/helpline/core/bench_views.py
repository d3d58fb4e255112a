"""A bare endpoint for bench/intake.py: one INSERT per request, the stack's ceiling.

Mounted only when HELPLINE_BENCH_ENDPOINTS=true, never in normal deployments. It goes
through the same ASGI server, middleware and database connection as the API, but
does a single INSERT into `bench_probe`, a table that only the benchmark's own
database has (bench/intake.py creates it).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    """Store the request body as one row and answer its id, like a minimal create."""
    body = request.body.decode("utf-8", errors="replace")[:4000]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_probe (body) VALUES (%s) RETURNING id", [body])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)
