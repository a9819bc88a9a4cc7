"""The filter builder's "tag" field (has / does not have tag)."""

import json

import pytest

from steward.core.errors import DomainError
from steward.segments import builder
from steward.segments.definition import FIELDS, segment_queryset
from steward.tags import services
from steward.tags.tests.conftest import NOW


def has(*codes, operator="has"):
    return {"op": "and", "rules": [{"field": "tag", "operator": operator, "value": list(codes)}]}


def cifs(user, definition):
    return set(segment_queryset(user, definition, NOW.date()).values_list("cif", flat=True))


def test_has_and_not_has_tag_select_within_the_viewers_scope(book):
    services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW)
    services.tag_customers(book.bank.south_rm, book.vip, [book.s.pk], now=NOW)
    services.recompute_rule_tags(None, now=NOW)
    manager = book.bank.north_manager
    assert cifs(manager, has("vip")) == {"C101"}
    assert cifs(manager, has("vip", "near-retirement")) == {"C101", "C103"}  # any of the codes
    assert cifs(manager, has("vip", operator="not_has")) == {"C102", "C103"}
    assert cifs(book.bank.south_rm, has("vip")) == {"C104"}


def test_an_unknown_or_inactive_tag_is_an_error_naming_the_rule(book):
    with pytest.raises(DomainError, match=r"Rule 1 \(tag\): no active tag with code 'nope'"):
        cifs(book.bank.north_manager, has("nope"))
    services.set_tag_active(book.bank.north_manager, book.vip, False, now=NOW)
    with pytest.raises(DomainError, match="no active tag"):
        cifs(book.bank.north_manager, has("vip"))
    with pytest.raises(DomainError, match="operator"):
        cifs(book.bank.north_manager, has("vip", operator="eq"))


def test_the_builder_offers_the_tag_field_with_tag_codes_as_hints(book, client):
    assert FIELDS["tag"].operators == ("has", "not_has")
    assert ("tag", FIELDS["tag"].label) in builder.field_choices()
    form = {"definition": json.dumps(has("")), "field:0": "tag", "operator:0": "has", "value:0": "vip, near-retirement"}
    assert builder.apply_form(form)["rules"][0]["value"] == ["vip", "near-retirement"]
    client.force_login(book.bank.north_manager)
    page = client.post("/segments/filter/", {**form}, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="tag" selected' in page
    assert 'data-testid="value-hints"' in page and 'value="vip"' in page
    assert "customers match" in page or "customer matches" in page
