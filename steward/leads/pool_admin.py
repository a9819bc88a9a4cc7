"""Administering the lead pools' rules, the protection rules and the institutions (LEAD-04,
LEAD-06, LEAD-01): by holders of leads.pool:change, within the orgs of their data scope (the
bank-wide protection default and the institutions list by those whose scope is the whole bank)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.core.errors import DomainError
from steward.leads.models import Institution, LeadPool, ProtectionRule
from steward.leads.permissions import POOL_CHANGE
from steward.org.models import Org


def _require_org(actor, org, field: str) -> None:
    if org is None:
        root = Org.objects.filter(parent__isnull=True).order_by("pk").first()
        if root is None or not Org.objects.visible_to(actor, POOL_CHANGE).filter(pk=root.pk).exists():
            raise DomainError(_("Only the head office sets the bank-wide rule; choose an org."), field=field)
        return
    if not Org.objects.visible_to(actor, POOL_CHANGE).filter(pk=org.pk).exists():
        raise DomainError(_("This org is outside your data scope."), field=field)


def editable_rule_ids(actor) -> set[int]:
    """The protection rules `actor` may change: those of the orgs in their scope, and the bank-wide
    one for the head office's administrators."""
    scoped = set(ProtectionRule.objects.visible_to(actor, POOL_CHANGE).values_list("pk", flat=True))
    try:
        _require_org(actor, None, "org")
    except DomainError:
        return scoped
    return scoped | set(ProtectionRule.objects.filter(org__isnull=True).values_list("pk", flat=True))


def save_pool(actor, form) -> LeadPool:
    require_permission(actor, POOL_CHANGE)
    pool = form.instance
    if pool.kind == LeadPool.Kind.INVALID:
        raise DomainError(_("The invalid pool is never claimed from: it has no rules."), field="name")
    if not LeadPool.objects.visible_to(actor, POOL_CHANGE).filter(pk=pool.pk).exists():
        raise DomainError(_("This pool is outside your data scope."), field="name")
    with transaction.atomic():
        form.save()
    return pool


def save_protection_rule(actor, rule: ProtectionRule) -> ProtectionRule:
    require_permission(actor, POOL_CHANGE)
    _require_org(actor, rule.org, "org")
    if ProtectionRule.objects.filter(org=rule.org, level=rule.level).exclude(pk=rule.pk).exists():
        raise DomainError(_("This org has a rule for this level already; change that one."), field="level")
    if rule.reclaim_to != ProtectionRule.ReclaimTo.POOL:
        rule.reclaim_pool = None
    if rule.reclaim_to != ProtectionRule.ReclaimTo.PERSON:
        rule.reclaim_person = None
    if rule.min_valid_followups < 1:
        raise DomainError(_("At least one valid follow-up is required."), field="min_valid_followups")
    with transaction.atomic():
        rule.save()
    return rule


def delete_protection_rule(actor, rule: ProtectionRule) -> None:
    require_permission(actor, POOL_CHANGE)
    _require_org(actor, rule.org, "org")
    rule.delete()


def save_institution(actor, institution: Institution) -> Institution:
    require_permission(actor, POOL_CHANGE)
    _require_org(actor, institution.org, "org")
    institution.code = institution.code.strip().lower()
    institution.full_clean()
    institution.save()
    return institution
