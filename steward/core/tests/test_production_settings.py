"""Production settings: `check --deploy` is clean, start-up refuses an unsafe configuration, migrations are complete.

Each runs manage.py in a subprocess, which does not import pytest: STEWARD_TESTING=0 makes it
load the production settings rather than the test ones.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def manage(*args, tmp_path, **env):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "STEWARD_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def production_env():
    return {
        "DEBUG": "0",
        "STEWARD_TESTING": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "crm.example.com",
        "STEWARD_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "STEWARD_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "STEWARD_AUDIT_KEYS": "a1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def test_production_without_personal_data_keys_fails_the_deploy_check(tmp_path):
    env = production_env()
    del env["STEWARD_PII_KEYS"]
    result = manage("check", "--deploy", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert "STEWARD_PII_KEYS is not set" in result.stdout + result.stderr


def test_the_production_settings_pass_check_deploy_without_a_single_warning(tmp_path):
    result = manage("check", "--deploy", tmp_path=tmp_path, **production_env())

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output.upper(), output
    assert "System check identified no issues" in output, output


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", tmp_path=tmp_path, **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_model_change_has_its_migration(tmp_path):
    result = manage("makemigrations", "--check", "--dry-run", tmp_path=tmp_path, DEBUG="1")

    assert result.returncode == 0, result.stdout + result.stderr
