"""Who masters what between Steward and the core-banking customers file — CUS-09, CUS-12.

The daily customers file (steward/holdings/intake.py) is core banking's full snapshot of its
customers. Two things in it are Steward's to decide, not core banking's:

* **The owner (管户) once Steward decided it.** An assignment, an approved transfer or allocation,
  a leaver's reassignment or a customer created with an owner sets `Customer.owner_decided_at`.
  From then on the file's owner column no longer moves the customer — unless the installation's
  parameter `customers.core_banking_overrides_owner` says core banking wins (default: it never
  does). A file that names another owner raises an `OwnershipConflict` for an administrator
  instead of being applied silently. An empty owner column never un-assigns anyone. Owners the
  file does change are written to the ownership history (kind "intake").
* **Merges.** A merged duplicate's customer number is a `CustomerAlias` of its survivor: the
  file's row for it is skipped (the survivor has its own row, which alone sets the survivor's
  master data) so the duplicate stays MERGED, and accounts naming it land on the survivor.

Everything here is set-based SQL over the intake's stage table, inside the load's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk, log_event
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer, CustomerAlias, OwnershipChange, OwnershipConflict

OVERRIDE_PARAMETER = "customers.core_banking_overrides_owner"
RESOLVE = "customers.ownership_conflict:resolve"


def core_banking_overrides_owner() -> bool:
    """The per-installation policy: may the core-banking file change an owner Steward decided?"""
    return bool(parameter(OVERRIDE_PARAMETER))


# ---------------------------------------------------------------- the intake's side (set-based)


def _current_customers_batch(data_date: dt.date, source: str = ""):
    """The customers batch of `data_date` being loaded (saved as running before the load starts)."""
    from steward.holdings.models import IntakeBatch

    batches = IntakeBatch.objects.filter(entity="customers", data_date=data_date, status=IntakeBatch.Status.RUNNING)
    if source:
        batches = batches.filter(source=source)
    return batches.order_by("-started_at", "-pk").first()


def skip_aliased_rows(cursor, stage: str, data_date: dt.date) -> int:
    """Drop the stage rows of customer numbers that are aliases of a survivor (merged duplicates).

    The duplicate keeps its MERGED status and the survivor keeps its own master data: the
    survivor's own row in the file is the one that updates it (CUS-12). Returns how many were
    skipped; they are audited in one entry."""
    alias_t = CustomerAlias._meta.db_table
    cursor.execute(f"SELECT COUNT(*) FROM {stage} s WHERE s.cif IN (SELECT a.cif FROM {alias_t} a)")
    skipped = cursor.fetchone()[0]
    if skipped:
        cursor.execute(f"DELETE FROM {stage} WHERE cif IN (SELECT a.cif FROM {alias_t} a)")
        log_event(
            "customers.intake_alias_skipped",
            object_type="customers.customer",
            message=f"{data_date}: {skipped} rows of merged customer numbers skipped",
            changes={"data_date": data_date.isoformat(), "rows": skipped},
        )
    return skipped


def master_owners(
    cursor, stage: str, data_date: dt.date, now, *, source: str = "", batch=None, applicable: str = ""
) -> dict:
    """Make the stage's `owner_id` column say what the customers' owners must be after the upsert.

    `stage` holds one row per file row (`cif`, `owner_id`: the file's owner, NULL when empty).
    For customers that exist already:

    * an empty owner column keeps the current owner (never un-assigns);
    * where Steward decided the owner and the file names another one: with the override policy
      off (default) the current owner stays and an ownership conflict is recorded; with it on the
      file's owner is taken and the customer counts as no longer decided in Steward;
    * every owner the file changes is written to the ownership history (kind "intake") and audited.

    New customers take the file's owner. `applicable` (SQL over the stage, alias s) narrows the
    rows the load will apply (e.g. not older than what is stored): only those raise conflicts and
    history. Returns counts: conflicts, changed."""
    customer_t = Customer._meta.db_table
    conflict_t = OwnershipConflict._meta.db_table
    change_t = OwnershipChange._meta.db_table
    if batch is None:
        batch = _current_customers_batch(data_date, source)
    source = source or (batch.source if batch is not None else "")
    batch_id = batch.pk if batch is not None else None
    cursor.execute(f"DROP TABLE IF EXISTS {stage}_owner")
    # One row per existing customer the file names: its current and decided owner next to the file's.
    cursor.execute(
        f"CREATE TEMP TABLE {stage}_owner AS "
        f"SELECT t.id AS customer_id, s.cif AS cif, t.owner_id AS current_owner_id, s.owner_id AS file_owner_id, "
        f"CASE WHEN t.owner_decided_at IS NULL THEN 0 ELSE 1 END AS decided "
        f"FROM {stage} s JOIN {customer_t} t ON t.cif = s.cif "
        f"WHERE s.owner_id IS NOT NULL AND s.owner_id <> COALESCE(t.owner_id, -1) AND ({applicable or '1 = 1'})"
    )
    # An empty owner column leaves the owner as it is.
    cursor.execute(
        f"UPDATE {stage} SET owner_id = (SELECT t.owner_id FROM {customer_t} t WHERE t.cif = {stage}.cif) "
        f"WHERE owner_id IS NULL AND EXISTS (SELECT 1 FROM {customer_t} t WHERE t.cif = {stage}.cif)"
    )
    conflicts = 0
    if core_banking_overrides_owner():
        # The file wins; what it sets is core banking's from now on.
        cursor.execute(
            f"UPDATE {customer_t} SET owner_decided_at = NULL "
            f"WHERE id IN (SELECT o.customer_id FROM {stage}_owner o WHERE o.decided = 1)"
        )
    else:
        conflicts = _record_conflicts(cursor, stage, data_date, now, source, batch_id, conflict_t)
        cursor.execute(f"DELETE FROM {stage}_owner WHERE decided = 1")
        cursor.execute(
            f"UPDATE {stage} SET owner_id = (SELECT t.owner_id FROM {customer_t} t WHERE t.cif = {stage}.cif) "
            f"WHERE EXISTS (SELECT 1 FROM {customer_t} t WHERE t.cif = {stage}.cif AND t.owner_decided_at IS NOT NULL)"
        )
    # What the file changes is history like any other move of ownership.
    reason = _("Core banking customers file of %(date)s") % {"date": data_date.isoformat()}
    cursor.execute(
        f"INSERT INTO {change_t} (customer_id, kind, from_owner_id, to_owner_id, changed_by_id, changed_at, "
        f"reason, application_id) SELECT o.customer_id, %s, o.current_owner_id, o.file_owner_id, NULL, %s, %s, NULL "
        f"FROM {stage}_owner o",
        [OwnershipChange.Kind.INTAKE, _db_datetime(now), reason[:500]],
    )
    changed = cursor.rowcount
    if changed:
        cursor.execute(f"SELECT customer_id FROM {stage}_owner")
        ids = [row[0] for row in cursor.fetchall()]
        log_bulk("customers.intake_owner", Customer, ids, message=f"{source} {data_date}: owner set by the file")
    cursor.execute(f"DROP TABLE IF EXISTS {stage}_owner")
    return {"conflicts": conflicts, "changed": max(changed, 0)}


def _record_conflicts(cursor, stage, data_date, now, source, batch_id, conflict_t) -> int:
    """Open (or refresh) a conflict for every Steward-decided owner the file disagrees with; a
    disagreement an administrator already settled by keeping Steward's owner is not raised again."""
    owners = f"{stage}_owner"
    open_status, kept = OwnershipConflict.Status.OPEN, OwnershipConflict.Status.KEPT
    settled = (
        f"EXISTS (SELECT 1 FROM {conflict_t} k WHERE k.customer_id = o.customer_id AND k.status = %s "
        f"AND k.file_owner_id = o.file_owner_id AND COALESCE(k.steward_owner_id, -1) = COALESCE(o.current_owner_id, -1))"
    )
    stamp = _db_datetime(now)
    # An open conflict of the customer follows the latest file.
    cursor.execute(
        f"UPDATE {conflict_t} SET file_owner_id = (SELECT o.file_owner_id FROM {owners} o "
        f"WHERE o.customer_id = {conflict_t}.customer_id), "
        f"steward_owner_id = (SELECT o.current_owner_id FROM {owners} o WHERE o.customer_id = {conflict_t}.customer_id), "
        f"data_date = %s, source = %s, intake_batch_id = %s "
        f"WHERE status = %s AND customer_id IN (SELECT o.customer_id FROM {owners} o WHERE o.decided = 1)",
        [_db_date(data_date), source, batch_id, open_status],
    )
    cursor.execute(
        f"INSERT INTO {conflict_t} (customer_id, steward_owner_id, file_owner_id, source, data_date, "
        f"intake_batch_id, status, detected_at, resolved_by_id, resolved_at) "
        f"SELECT o.customer_id, o.current_owner_id, o.file_owner_id, %s, %s, %s, %s, %s, NULL, NULL "
        f"FROM {owners} o WHERE o.decided = 1 "
        f"AND NOT EXISTS (SELECT 1 FROM {conflict_t} c WHERE c.customer_id = o.customer_id AND c.status = %s) "
        f"AND NOT {settled}",
        [source, _db_date(data_date), batch_id, open_status, stamp, open_status, kept],
    )
    inserted = max(cursor.rowcount, 0)
    if inserted:
        cursor.execute(
            f"SELECT c.id FROM {conflict_t} c WHERE c.status = %s AND c.detected_at = %s "
            f"AND c.customer_id IN (SELECT o.customer_id FROM {owners} o WHERE o.decided = 1)",
            [open_status, stamp],
        )
        log_bulk(
            "customers.ownership_conflict",
            OwnershipConflict,
            [row[0] for row in cursor.fetchall()],
            message=f"{source} {data_date}: the file names another owner than Steward decided; not applied",
        )
    return inserted


def _db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def _db_date(value):
    return connection.ops.adapt_datefield_value(value)


# ---------------------------------------------------------------- the administrator's side


def conflicts_for(user):
    """Ownership conflicts of the customers `user` may see under the resolve permission."""
    from steward.access.services import has_permission

    if not has_permission(user, RESOLVE):
        return OwnershipConflict.objects.none()
    return OwnershipConflict.objects.visible_to(user, RESOLVE)


@service
def resolve_conflict(actor, conflict: OwnershipConflict, decision: str, *, now=None) -> OwnershipConflict:
    """Settle an open conflict: "keep" Steward's owner (the same disagreement is not raised again)
    or "take" the file's owner, which moves the customer through the ownership service with its
    history (kind "conflict") and makes it Steward's decision from then on."""
    from steward.access.services import require_visible
    from steward.customers.services import _check_new_owner, _move_owner

    require_permission(actor, RESOLVE)
    conflict = (
        OwnershipConflict.objects.select_for_update(of=("self",))
        .select_related("customer", "file_owner")
        .get(pk=conflict.pk)
    )
    require_visible(actor, RESOLVE, conflict.customer)
    if conflict.status != OwnershipConflict.Status.OPEN:
        raise DomainError(_("This conflict has been resolved already."), field="decision")
    now = now or timezone.now()
    if decision == "take":
        if conflict.file_owner is None:
            raise DomainError(_("The employee the file named no longer exists."), field="decision")
        customer = Customer.objects.select_for_update().get(pk=conflict.customer_id)
        if customer.status == Customer.Status.MERGED:
            raise DomainError(_("This customer has been merged into another one."), field="decision")
        _check_new_owner(conflict.file_owner, [customer])
        reason = _("Owner named by the %(source)s file of %(date)s") % {
            "source": conflict.source_label,
            "date": conflict.data_date.isoformat(),
        }
        _move_owner(actor, [customer], conflict.file_owner, kind=OwnershipChange.Kind.CONFLICT, reason=reason, now=now)
        conflict.status = OwnershipConflict.Status.TAKEN
    elif decision == "keep":
        conflict.status = OwnershipConflict.Status.KEPT
    else:
        raise DomainError(_("Choose whether to keep Steward's owner or take the file's owner."), field="decision")
    conflict.resolved_by, conflict.resolved_at = actor, now
    conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    log_event(
        "customers.ownership_conflict_resolved",
        conflict,
        actor=actor,
        message=conflict.status,
        changes={"customer": conflict.customer_id, "decision": decision, "file_owner": conflict.file_owner_id},
    )
    return conflict
