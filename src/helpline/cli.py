"""The `helpline` command: Django's management commands under one name.

`helpline serve`, `worker`, `scheduler`, `run`, `migrate`, `demo`, `createsuperuser`,
`check`, `jobs` ... are all management commands, so every entry point shares one
settings module and one set of options.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.config.settings")
    args = sys.argv[1:] if argv is None else argv
    # Which kind of process this is (serve, worker, email ...): see core.realtime.
    os.environ["HELPLINE_PROCESS"] = args[0] if args else ""
    from dj_database_url import UnknownSchemeError
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["helpline", *args])
    except (ImproperlyConfigured, UnknownSchemeError) as exc:
        # A configuration mistake (no SECRET_KEY in production, a bad DATABASE_URL ...):
        # one line saying what to set, not a traceback. --traceback still shows it.
        if "--traceback" in args:
            raise
        sys.stderr.write(f"helpline: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
