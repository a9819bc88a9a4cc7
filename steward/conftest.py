"""Fixtures for every app's tests under steward/ (the bank fixture lives in the top-level conftest)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Parameters and code tables are cached per process; a test's rolled-back edits must not leak.
    So is the key ring, which key-rotation tests change through the environment."""
    from steward.privacy import crypto

    cache.clear()
    yield
    cache.clear()
    crypto.keyring.cache_clear()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English; the Chinese interface is tested on its own (core/tests/test_i18n.py).

    A request that sends Accept-Language or the language cookie still gets that language.
    """
    settings.LANGUAGE_CODE = "en"
