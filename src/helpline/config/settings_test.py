"""Settings for the test suite: the real settings, in testing mode."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HELPLINE_TESTING", "true")
os.environ.setdefault("HELPLINE_VAR_DIR", tempfile.mkdtemp(prefix="helpline-test-"))
# WhiteNoise warns on every request when STATIC_ROOT does not exist.
(Path(os.environ["HELPLINE_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

from helpline.config.settings import *  # noqa: E402,F403
