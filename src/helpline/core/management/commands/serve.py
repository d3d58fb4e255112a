"""`helpline serve`: the ASGI server (HTTP, API, WebSockets)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI, the API and WebSockets with uvicorn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--access-log", action="store_true")

    def handle(
        self, *args, host: str, port: int, workers: int, access_log: bool, **options
    ) -> None:
        import uvicorn

        uvicorn.run(
            "helpline.config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=access_log,
            log_level="info",
            proxy_headers=True,
        )
