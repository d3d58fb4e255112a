"""Settings for the test suite: the real settings, in testing mode."""

import os
import tempfile

os.environ.setdefault("HELPLINE_TESTING", "true")
os.environ.setdefault("HELPLINE_VAR_DIR", tempfile.mkdtemp(prefix="helpline-test-"))

from helpline.config.settings import *  # noqa: E402,F403
