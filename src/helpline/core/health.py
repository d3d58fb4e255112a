"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.warning("health check: database unavailable", exc_info=True)
        return False


def _redis_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except Exception:
        logger.warning("readiness check: redis unavailable", exc_info=True)
        return False


def _tasks_ok() -> bool:
    try:
        from django_tasks import task_backends

        backend = task_backends["default"]
        if settings.TASK_BACKEND == "db":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        return backend is not None
    except Exception:
        logger.warning("readiness check: task backend unavailable", exc_info=True)
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    if _database_ok():
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable", "checks": {"database": "down"}}, status=503)


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "tasks": _tasks_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
    ok = all(checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)
