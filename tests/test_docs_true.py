"""Issue 13, point 6 (docs true): the reference pages list what the code has — every API resource
in docs/api.md, every system job in docs/jobs.md and no job there that does not exist — so that a
new endpoint or job without its documentation, or a removed one still documented, fails here."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_api_resource_is_in_the_api_reference():
    """PLT-11: each route the REST router registers is named in docs/api.md's endpoint table."""
    from steward.api.urls import router

    reference = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [prefix for prefix, _viewset, _basename in router.registry if f"`{prefix}/" not in reference]
    assert not missing, f"docs/api.md does not document: {missing}"


def test_the_job_reference_lists_exactly_the_registered_jobs():
    """PLT-08: docs/jobs.md's built-in jobs table names every registered system job, and only those."""
    from steward.jobs.registry import jobs

    text = (DOCS / "jobs.md").read_text(encoding="utf-8")
    table = text.split("## Built-in jobs", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", table, re.M))
    registered = set(jobs.keys())
    assert documented == registered, {
        "registered, not documented": sorted(registered - documented),
        "documented, not registered": sorted(documented - registered),
    }
