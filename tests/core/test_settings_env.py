import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpline.config.env import env_bool, env_int


def test_env_bool_refuses_anything_but_true_or_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "true")
    assert env_bool("X_FLAG") is True


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    from helpline.config.env import env_str

    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "s3cr3t"


def test_production_refuses_to_start_with_the_default_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HELPLINE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "helpline.config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"HELPLINE_DEV": "true", "DATABASE_URL": "nosuchdb://x"}, "nosuchdb"),
    ],
    ids=["default-secret-key", "unknown-database-scheme"],
)
def test_helpline_command_reports_a_configuration_error_in_one_line(tmp_path, extra, message):
    env = {"PATH": "/usr/bin:/bin", "HELPLINE_VAR_DIR": str(tmp_path), **extra}
    result = subprocess.run(
        [sys.executable, "-c", "from helpline.cli import main; main(['check'])"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("helpline: configuration error:")
    assert message in result.stderr


def _postgres_options(tmp_path, **extra):
    env = {
        "PATH": "/usr/bin:/bin",
        "HELPLINE_VAR_DIR": str(tmp_path),
        "HELPLINE_DEV": "true",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DB_POOL": "true",
        **extra,
    }
    code = "import json; from helpline.config import settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed snippet
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_postgres_binds_on_the_server_and_prepares_repeated_statements(tmp_path):
    options = _postgres_options(tmp_path)
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    assert options["pool"]["max_size"] == 8


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    options = _postgres_options(tmp_path, DB_PREPARE_THRESHOLD="0", DB_SERVER_SIDE_BINDING="false")
    assert options["prepare_threshold"] is None
    assert options["server_side_binding"] is False
