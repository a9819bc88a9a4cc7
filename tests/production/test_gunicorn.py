"""INT-04: production mode works from a clone — DEBUG off, collectstatic, WhiteNoise, gunicorn.

Starts Steward exactly as `make serve-production` does (scripts/serve_production.py: check --deploy,
collectstatic with the hashed, compressed storage, gunicorn with gunicorn.conf.py) on a free local
port, with a database of its own migrated from scratch (a temporary SQLite file; a temporary
PostgreSQL database when the suite runs on PostgreSQL). A TLS-terminating proxy is played by the
test: it sends X-Forwarded-Proto and keeps the Secure cookies itself.
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from base64 import b64encode
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PASSWORD = "Production-check-2026"
PLAIN_MOBILE = "13812345678"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _key() -> str:
    return b64encode(secrets.token_bytes(32)).decode()


@contextlib.contextmanager
def _database(tmp_path):
    """A database of the server's own: nothing the test suite's database holds is reused."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'production.sqlite3'}"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"steward_production_{os.getpid()}_{secrets.token_hex(3)}"
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Proxy:
    """What the reverse proxy in front of gunicorn passes on: HTTPS, cookies, the origin."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, https: bool = True):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": f"{self.origin}{path}",
                }
            )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        return response, content


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the login form has no CSRF token"
    return match.group(1)


CREATE_USER = """
from steward.org.models import Employee, Org
head = Org.objects.create(code="HO", name="Head office", kind=Org.Kind.HEAD_OFFICE)
Employee.objects.create_superuser("prodcheck", {password!r}, org=head, name="Production check")
"""


def test_production_mode_collects_static_files_and_serves_pages_under_gunicorn(tmp_path):
    """INT-04, PLT-13: with DEBUG off, the login page and its hashed static files (WhiteNoise, served
    with a long cache lifetime) answer 200 under gunicorn; after logging in, a list page answers 200;
    plain HTTP is redirected to HTTPS; gunicorn's access lines mask a searched mobile number."""
    port = _free_port()
    with _database(tmp_path) as database_url:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
        env.update(
            {
                "SECRET_KEY": "production-check-" + secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": "127.0.0.1",
                "STEWARD_PII_KEYS": f"k1:{_key()}",
                "STEWARD_BLIND_INDEX_KEY": _key(),
                "STEWARD_AUDIT_KEYS": f"a1:{_key()}",
                "DATABASE_URL": database_url,
                "STEWARD_VAR_DIR": str(tmp_path / "var"),
                "STATIC_ROOT": str(tmp_path / "static"),
                "DEBUG": "0",
                "STEWARD_TESTING": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = tmp_path / "gunicorn.log"
        # The database is migrated while the server collects its static files (both take a while).
        migrate = subprocess.Popen(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with log.open("w") as out:
            server = subprocess.Popen(
                [PY, "scripts/serve_production.py", "--no-migrate", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # gunicorn's master and workers are stopped together
            )
        try:
            migrated, _ = migrate.communicate(timeout=180)
            assert migrate.returncode == 0, migrated
            created = subprocess.run(
                [PY, "manage.py", "shell", "-c", CREATE_USER.format(password=PASSWORD)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert created.returncode == 0, created.stdout + created.stderr

            proxy = Proxy(port)
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    pytest.fail("production mode did not start:\n" + log.read_text())
                with contextlib.suppress(OSError):
                    response, content = proxy.request("GET", "/login/")
                    break
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer:\n" + log.read_text())
                time.sleep(0.25)
            page = content.decode()
            assert response.status == 200, page

            # Every stylesheet and script of the page: WhiteNoise, hashed names, cached for good.
            assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
            stylesheets = [url for url in assets if url.endswith(".css")]
            assert stylesheets and all(re.search(r"\.[0-9a-f]{12}\.\w+$", url) for url in assets), assets
            for url in assets:
                asset, body = proxy.request("GET", url)
                assert asset.status == 200, url
                assert "immutable" in (asset.getheader("Cache-Control") or ""), url
                # What a stylesheet loads itself (the icon fonts) was rewritten to hashed files too.
                if url.endswith(".css"):
                    for ref in re.findall(r'url\("?(\./[^")]+|[^":)/][^":)]*)"?\)', body.decode()):
                        target = urllib.parse.urljoin(url, ref.split("?")[0].split("#")[0])
                        assert proxy.request("GET", target)[0].status == 200, (url, ref)

            insecure, _ = proxy.request("GET", "/login/", https=False)
            assert insecure.status == 301 and insecure.getheader("Location", "").startswith("https://")

            logged_in, body = proxy.request(
                "POST",
                "/login/",
                {"csrfmiddlewaretoken": _csrf_token(page), "username": "prodcheck", "password": PASSWORD},
            )
            assert logged_in.status == 302, body.decode()
            assert logged_in.getheader("Location") in {"/", f"{proxy.origin}/"}
            for path in ("/", f"/customers/?q={PLAIN_MOBILE}"):
                listed, body = proxy.request("GET", path)
                assert listed.status == 200, (path, listed.status, body[:2000])
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            if migrate.poll() is None:
                migrate.kill()
                migrate.wait()

    written = log.read_text()
    assert "Traceback" not in written, written
    assert '"GET /customers/?q=138****5678 HTTP/1.1" 200' in written, written
    assert PLAIN_MOBILE not in written, written


def test_production_mode_refuses_to_start_without_its_settings(monkeypatch, capsys):
    """INT-04: `make serve-production` without SECRET_KEY, ALLOWED_HOSTS or the keys stops before
    doing anything, naming each missing variable and how to make it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import serve_production
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for name in serve_production.REQUIRED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALLOWED_HOSTS", "crm.example.com")
    monkeypatch.setenv("STEWARD_AUDIT_KEYS", f"a1:{_key()}")
    monkeypatch.setattr(os, "execve", lambda *args: pytest.fail("gunicorn was started"))
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: pytest.fail(f"{args} was run"))

    assert serve_production.main([]) == 2
    refused = capsys.readouterr().err
    for name in ("SECRET_KEY", "STEWARD_PII_KEYS", "STEWARD_BLIND_INDEX_KEY"):
        assert f"  {name}: " in refused
    assert "ALLOWED_HOSTS" not in refused and "STEWARD_AUDIT_KEYS" not in refused
    assert "docs/configuration.md" in refused
