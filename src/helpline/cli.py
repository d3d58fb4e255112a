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
    from django.core.management import execute_from_command_line

    execute_from_command_line(["helpline", *args])


if __name__ == "__main__":
    main()
