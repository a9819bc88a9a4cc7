"""Steward benchmark harness: `python -m bench run` (see docs/benchmarks.md).

Builds a synthetic bank on its own database, runs named scenarios in-process with Django's
test client and writes bench/results/<scenario>.json and .md. Performance targets live here,
never in timed unit tests.
"""
