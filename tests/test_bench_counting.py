"""The benchmark harness counts a page's own statements: a session's minutely bookkeeping and the
minutely cache reloads are left out, a lookup repeated per row is not."""

from bench.context import page_statements

PAGE = [
    'SELECT "django_session"."session_key" FROM "django_session" WHERE …',
    'SELECT "customers_customer"."id" FROM "customers_customer" …',
]
RELOAD = 'SELECT "basedata_codeitem"."code" AS "code", "basedata_codeitem"."label" AS "label", … = \'risk_level\''


def captured(*statements):
    return [{"sql": sql, "time": "0.000"} for sql in statements]


def test_the_minutely_session_stamps_and_cache_reloads_are_not_counted():
    on_the_minute = captured(
        *PAGE,
        'SELECT "basedata_systemparameter"."key" AS "key", "basedata_systemparameter"."value_type" …',
        RELOAD,
        "BEGIN",
        'SELECT "org_usersession"."id" FROM "org_usersession" WHERE …',
        'UPDATE "org_usersession" SET "last_seen" = …',
        "COMMIT",
        "BEGIN",
        'UPDATE "django_session" SET "session_data" = …',
        "COMMIT",
    )
    assert page_statements(on_the_minute) == PAGE


def test_a_lookup_repeated_per_row_and_the_pages_own_transactions_still_count():
    per_row = captured(
        "BEGIN",
        *PAGE,
        RELOAD,
        RELOAD,
        RELOAD,
        "SAVEPOINT s1",
        'INSERT INTO "audit_auditentry" …',
        "RELEASE SAVEPOINT s1",
        "COMMIT",
    )
    assert len(page_statements(per_row)) == len(per_row) - 1


def test_a_call_that_runs_for_minutes_may_reload_once_a_minute():
    two_minutes_of_intake = captured(*PAGE, RELOAD, *PAGE, RELOAD, *PAGE, RELOAD)

    assert page_statements(two_minutes_of_intake, seconds=150) == PAGE * 3
    assert len(page_statements(two_minutes_of_intake, seconds=90)) == len(PAGE) * 3 + 1
