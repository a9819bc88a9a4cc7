"""Serve Steward in production mode (`make serve-production`; docs/configuration.md, "Production").

DEBUG is forced off. Before gunicorn starts (with gunicorn.conf.py): the settings production needs
are checked, `check --deploy` runs, the static files are collected (hashed names, compressed) into
STATIC_ROOT for WhiteNoise, and the database is migrated. Options this script does not know are
passed to gunicorn (`--workers 5 --threads 8`).

The Celery worker and its schedule run as a process of their own (docs/configuration.md).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# What production refuses to start without, and how to make each.
REQUIRED = {
    "SECRET_KEY": "Django's signing key: a long random string, e.g. `openssl rand -base64 48`",
    "ALLOWED_HOSTS": "the host names users reach Steward by, comma-separated, e.g. crm.example.com",
    "STEWARD_PII_KEYS": "personal-data encryption keys, `k1:<base64 of 32 random bytes>` (docs/security-pii.md)",
    "STEWARD_BLIND_INDEX_KEY": "the search-index key, base64 of 32 random bytes (docs/security-pii.md)",
    "STEWARD_AUDIT_KEYS": "the audit chain's keys, `a1:<base64 of 32 random bytes>` (docs/audit.md)",
}


def missing_settings(environ) -> list[str]:
    return [name for name in REQUIRED if not environ.get(name, "").strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument(
        "--no-migrate", action="store_true", help="the database is migrated elsewhere (a release step, another host)"
    )
    options, gunicorn_args = parser.parse_known_args(argv)

    missing = missing_settings(os.environ)
    if missing:
        print("Steward does not start in production mode without these environment variables:", file=sys.stderr)
        for name in missing:
            print(f"  {name}: {REQUIRED[name]}", file=sys.stderr)
        print("See docs/configuration.md, section Production.", file=sys.stderr)
        return 2

    env = {**os.environ, "DEBUG": "0", "STEWARD_TESTING": "0", "PYTHONUNBUFFERED": "1"}
    steps = [
        ("Checking the production settings", ["check", "--deploy"]),
        ("Collecting static files", ["collectstatic", "--noinput", "-v", "0"]),
    ]
    if not options.no_migrate:
        steps.append(("Migrating the database", ["migrate", "--noinput", "-v", "0"]))
    for title, command in steps:
        print(f"{title} …", flush=True)
        if subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env).returncode:
            print(f"Stopped: {title.lower()} failed (above).", file=sys.stderr)
            return 1

    print("Starting gunicorn (gunicorn.conf.py) …", flush=True)
    os.chdir(ROOT)
    os.execve(PY, [PY, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), *gunicorn_args], env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
