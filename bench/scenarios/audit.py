"""Audit-trail scenario (issue "Governance"): entries per second, single and bulk, and what the
trail adds to a 20-row list page and to an edit."""

from __future__ import annotations

from bench.registry import scenario

NOT_HTTP = (None,)


@scenario("audit", "Audit trail: single and bulk write rates; overhead on a 20-row list page and an edit")
def audit(ctx):
    from django.conf import settings
    from django.db import transaction
    from django.db.models.signals import post_save, pre_save
    from django.test.utils import override_settings

    from steward.audit import signals as audit_signals
    from steward.audit.services import log_bulk, log_event, verify_chain
    from steward.org.models import Employee, Org

    head = Org.objects.get(code="HO")
    ids = list(Employee.objects.values_list("pk", flat=True)[:1000])

    single = ctx.measure("log_event: 1 entry", lambda _: log_event("bench.single", head), expect_status=NOT_HTTP)

    def hundred(_):
        with transaction.atomic():
            for _i in range(100):
                log_event("bench.batch", head)

    batch = ctx.measure("log_event: 100 entries in one transaction", hundred, expect_status=NOT_HTTP)
    bulk = ctx.measure(
        "log_bulk: 1 summary entry of 1,000 ids",
        lambda _: log_bulk("bench.bulk", Employee, ids),
        expect_status=NOT_HTTP,
    )
    ctx.note(
        f"Write rates (from medians): single {1000 / single.median_ms:,.0f} entries/s; "
        f"within one transaction {100_000 / batch.median_ms:,.0f} entries/s; "
        f"bulk {1_000_000 / bulk.median_ms:,.0f} affected ids/s ({1000 / bulk.median_ms:,.0f} summary entries/s)."
    )

    admin = ctx.client("admin")
    ctx.measure("employee list page (20 rows), audit middleware on", lambda _: admin.get("/org/employees/"))
    without = [m for m in settings.MIDDLEWARE if m != "steward.audit.context.AuditContextMiddleware"]
    with override_settings(MIDDLEWARE=without):
        ctx.measure(
            "employee list page (20 rows), audit middleware off",
            lambda _: admin.get("/org/employees/"),
            ratio_to="employee list page (20 rows), audit middleware on",
        )

    target = Employee.objects.filter(org__kind="team").exclude(employee_no="admin").first()
    edit_url = f"/org/employees/{target.pk}/edit/"
    counter = {"n": 0}

    def edit(client):
        counter["n"] += 1
        return admin.post(
            edit_url,
            {
                "name": target.name,
                "allocation_weight": 1 + counter["n"] % 5,
                "position": "rm",
                "mobile": "",
                "email": "",
                "id_number": "",
                "hired_on": "",
                "language": "",
            },
        )

    ctx.measure("edit an employee (POST), audited", edit, expect_status=302)
    pre_save.disconnect(audit_signals.remember_before)
    post_save.disconnect(audit_signals.record_save)
    try:
        ctx.measure(
            "edit an employee (POST), change capture off",
            edit,
            expect_status=302,
            ratio_to="edit an employee (POST), audited",
        )
    finally:
        pre_save.connect(audit_signals.remember_before)
        post_save.connect(audit_signals.record_save)

    report = verify_chain()
    ctx.check(report.ok, f"the chain must verify after the run: {report.reason}")
    ctx.note(f"verify_chain afterwards: {report.checked:,} entries verified.")
