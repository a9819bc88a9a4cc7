"""PLT-12: the Chinese catalogue is complete — no untranslated or fuzzy entry, and it compiles cleanly.

Marked ``translations`` so it can be deselected (``-m "not translations"``) while a catalogue
is being written.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

pytestmark = [
    pytest.mark.translations,
    pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (GNU gettext) is not installed"),
]


def msgfmt_statistics() -> subprocess.CompletedProcess:
    return subprocess.run(
        ["msgfmt", "--statistics", "--check-format", "--output-file=/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )


def test_the_chinese_catalogue_exists():
    assert CATALOGUE.is_file(), f"{CATALOGUE} is missing: run `make translations` and translate it."


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = msgfmt_statistics()

    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()  # e.g. "277 translated messages, 3 fuzzy translations, 2 untranslated messages."
    assert "translated message" in statistics
    assert "untranslated" not in statistics, statistics
    assert "fuzzy" not in statistics, statistics


def test_the_chinese_catalogue_covers_every_string_in_the_code(tmp_path):
    """Refresh a copy of the catalogue from the source (as `make translations` does): nothing may be missing."""
    import sys

    root = Path(settings.BASE_DIR)
    shutil.copy(root / "manage.py", tmp_path)
    shutil.copytree(root / "locale", tmp_path / "locale")
    shutil.copytree(
        root / "steward", tmp_path / "steward", ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo")
    )
    refreshed = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DEBUG": "1", "STEWARD_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    assert refreshed.returncode == 0, refreshed.stderr

    result = subprocess.run(
        ["msgfmt", "--statistics", "--output-file=/dev/null", str(tmp_path / CATALOGUE.relative_to(root))],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    statistics = result.stderr.strip()
    assert "untranslated" not in statistics and "fuzzy" not in statistics, (
        f"Strings in the code are missing from the catalogue ({statistics}); run `make translations`."
    )
