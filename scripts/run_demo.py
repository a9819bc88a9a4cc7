"""Run the demo: the web server, a Celery worker with its embedded beat schedule, until Ctrl-C.

No broker is needed: without CELERY_BROKER_URL the worker uses a file-system queue under var/.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = os.environ.get("DEMO_HOST", "127.0.0.1")
PORT = os.environ.get("DEMO_PORT", "8000")


def web_server_command(host: str = HOST, port: str = PORT) -> list[str]:
    """The demo's web server. Its access lines (with query strings) go to the "django.server"
    logger, whose handler masks ID, mobile and card numbers (settings.LOGGING, PLT-13;
    tests/security/test_logs.py runs this command)."""
    return [PY, "manage.py", "runserver", f"{host}:{port}", "--noreload"]


def main() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    processes = [
        subprocess.Popen(web_server_command(), cwd=ROOT, env=env),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "steward",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=WARNING",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    url = f"http://{HOST}:{PORT}/login/"
    for _ in range(120):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        print("The web server did not answer within a minute; see the output above.", file=sys.stderr)
        stop()
    subprocess.run([PY, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=False)
    print(f"\nSteward is running: open http://{HOST}:{PORT}/ and log in with one of the logins above.")
    print("Web server, background worker and schedule are running; press Ctrl-C to stop them.\n", flush=True)
    while True:
        for process in processes:
            if process.poll() is not None:
                print(f"A process stopped (exit {process.returncode}); stopping the demo.", file=sys.stderr)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    raise SystemExit(main())
