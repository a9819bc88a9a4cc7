"""What a scenario works with: logged-in clients, the bank's facts, and ``measure()``.

Server time is the wall-clock time of one in-process ``Client`` call — URL resolution, every
middleware, the view, the queries and template rendering — without network or browser.
Queries are counted with ``CaptureQueriesContext`` on every timed run; a count that changes
between runs of the same request is reported (and makes the command exit non-zero).
"""

from __future__ import annotations

import gc
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Once a minute a logged-in request also stamps its session: the idle-session check rewrites the
# session (security middleware) and the online-users list touches its UserSession row (org
# middleware). Whichever request falls on the minute sends those statements (and the transactions
# around them) more. They are not the page's work, so the count that must stay constant leaves them out.
SESSION_BOOKKEEPING = re.compile(
    r'^(UPDATE "django_session" |UPDATE "org_usersession" |INSERT INTO "org_usersession" '
    r'|SELECT .* FROM "org_usersession" )'
)
# The process caches of system parameters and code tables (basedata.services, CACHE_SECONDS = 60)
# reload on whichever request comes a minute after they were filled: one query per cache, once —
# or once a minute in a call that runs for minutes (a day's intake). Only that many occurrences are
# left out, so a lookup repeated per row still shows in the count.
CACHE_RELOAD = re.compile(
    r'^SELECT "basedata_systemparameter"\."key" AS "key", '
    r'|^SELECT "basedata_codeitem"\."code" AS "code", "basedata_codeitem"\."label" AS "label", '
)
OPENS = re.compile(r"^(BEGIN|SAVEPOINT )")
CLOSES = re.compile(r"^(COMMIT|RELEASE SAVEPOINT )")


def page_statements(captured, seconds: float = 0.0) -> list[str]:
    """The statements of a request (or a call that took `seconds`) without the session bookkeeping
    and the minutely cache reloads, and without the transactions and savepoints that were left
    empty by taking them out."""
    kept, reloaded = [], Counter()
    reloads_due = 1 + int(seconds // 60)
    for sql in (query["sql"] for query in captured):
        if SESSION_BOOKKEEPING.match(sql):
            continue
        if CACHE_RELOAD.match(sql) and reloaded[sql] < reloads_due:
            reloaded[sql] += 1
            continue
        if CLOSES.match(sql) and kept and OPENS.match(kept[-1]):
            kept.pop()
            continue
        kept.append(sql)
    return kept


# The test client's default host ("testserver") is not in ALLOWED_HOSTS outside the test runner.
CLIENT_DEFAULTS = {"HTTP_HOST": "localhost", "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "steward-bench"}


class BenchError(Exception):
    """A scenario's precondition failed (wrong status, wrong row count …); the run is invalid."""


@dataclass
class Measurement:
    name: str
    median_ms: float
    min_ms: float
    max_ms: float
    p95_ms: float
    queries: int  # the most frequent count over the timed runs; see queries_constant
    queries_constant: bool
    query_counts: list[int]  # distinct counts seen, when not constant
    runs: int
    response_bytes: int  # size of the last response body
    queries_follow_data: bool = False  # each run works on different data: a varying count is expected
    ratio_to: str | None = None
    ratio: float | None = None
    note: str = ""
    samples_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("median_ms", "min_ms", "max_ms", "p95_ms"):
            data[key] = round(data[key], 3)
        data["samples_ms"] = [round(value, 3) for value in self.samples_ms]
        if self.ratio is not None:
            data["ratio"] = round(self.ratio, 3)
        return data


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 runs is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class BankFacts:
    size: Any  # bench.sizes.BenchSize
    password: str
    orgs: int
    employees: int
    role_assignments: int
    build_seconds: float
    logins: dict[str, str]  # employee_no -> role


class ScenarioContext:
    def __init__(self, bank: BankFacts, runs: int, warmup: int, verbose: bool = True):
        self.bank = bank
        self.runs = runs
        self.warmup = warmup
        self.verbose = verbose
        self.measurements: list[Measurement] = []
        self.notes: list[str] = []

    # --- helpers -------------------------------------------------------------------------
    def anonymous_client(self) -> Client:
        return Client(**CLIENT_DEFAULTS)

    def client(self, employee_no: str) -> Client:
        """A client logged in through the real login form as a demo login ("admin", "branch", "rm" …)."""
        client = self.anonymous_client()
        response = client.post("/login/", {"username": employee_no, "password": self.bank.password})
        self.check(response.status_code == 302, f"login as {employee_no!r} returned {response.status_code}, not 302")
        return client

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            raise BenchError(message)

    def note(self, text: str) -> None:
        """A line for the report under the table (facts the reader needs, e.g. rows visible)."""
        self.notes.append(text)

    # --- measuring -----------------------------------------------------------------------
    def measure(
        self,
        name: str,
        call: Callable[[Any], Any],
        *,
        setup: Callable[[], Any] | None = None,
        expect_status: int | tuple[int, ...] = 200,
        ratio_to: str | None = None,
        note: str = "",
        queries_follow_data: bool = False,
        count_statements_only: bool = False,
    ) -> Measurement:
        """Time `call(setup())` `warmup + runs` times; only `call` is timed, only `runs` are kept.

        `call` does one request through a test client and returns the response. `setup`
        (optional, untimed) prepares what each call needs, e.g. a fresh anonymous client.
        `ratio_to` names an earlier measurement of this scenario to report median/median against.
        `queries_follow_data`: every run works on different data (e.g. the next day's files), so its
        statement count may differ by the statements that only run when there is something to do
        (odd rows, rejects); the count is reported, not held constant.
        `count_statements_only`: for bulk paths (imports, loads) called outside a request. The query
        log renders every statement's parameters into its text (for a 5,000-row batch that costs more
        than the batch), which a worker in production never does: statements are only counted.
        """
        statuses = (expect_status,) if isinstance(expect_status, int) else tuple(expect_status)

        def counted_once():
            state = setup() if setup is not None else None
            sent = []

            def count(execute, sql, params, many, context):
                sent.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                start = time.perf_counter()
                response = call(state)
                elapsed = (time.perf_counter() - start) * 1000
            status = getattr(response, "status_code", None)
            self.check(status in statuses, f"{name}: status {status}, expected {statuses}")
            return elapsed, len(sent), len(getattr(response, "content", b""))

        def once():
            if count_statements_only:
                return counted_once()
            state = setup() if setup is not None else None
            # The query log is a bounded deque: once full, CaptureQueriesContext counts 0. Start empty.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = call(state)
                elapsed = (time.perf_counter() - start) * 1000
            status = getattr(response, "status_code", None)
            self.check(status in statuses, f"{name}: status {status}, expected {statuses}")
            queries = len(page_statements(captured, elapsed / 1000))
            return elapsed, queries, len(getattr(response, "content", b""))

        for _ in range(self.warmup):
            once()
        # As a web server's worker after start-up (steward/wsgi.py): what is loaded so far is moved
        # out of the collector's way, so a full collection does not walk it during a request.
        gc.collect()
        gc.freeze()
        samples, counts = [], []
        try:
            for _ in range(self.runs):
                elapsed, queries, size = once()
                samples.append(elapsed)
                counts.append(queries)
        finally:
            gc.unfreeze()
        distinct = sorted(set(counts))
        measurement = Measurement(
            name=name,
            median_ms=statistics.median(samples),
            min_ms=min(samples),
            max_ms=max(samples),
            p95_ms=percentile(samples, 0.95),
            queries=Counter(counts).most_common(1)[0][0],
            queries_constant=len(distinct) == 1,
            query_counts=distinct if len(distinct) > 1 else [],
            runs=self.runs,
            response_bytes=size,
            note=note,
            samples_ms=samples,
            queries_follow_data=queries_follow_data,
        )
        if ratio_to is not None:
            base = next((m for m in self.measurements if m.name == ratio_to), None)
            self.check(base is not None, f"{name}: ratio_to names no earlier measurement {ratio_to!r}")
            measurement.ratio_to = ratio_to
            measurement.ratio = measurement.median_ms / base.median_ms
        self.measurements.append(measurement)
        if self.verbose:
            flag = "" if measurement.queries_constant else f"  (query count VARIES: {distinct})"
            print(
                f"  {name:<46} median {measurement.median_ms:8.2f} ms  "
                f"p95 {measurement.p95_ms:8.2f} ms  {measurement.queries:3d} queries{flag}",
                flush=True,
            )
        return measurement
