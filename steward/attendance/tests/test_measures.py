"""TASK-05 / TASK-06: the measures a quota counts — each one grouped query, by person and local
day, counting only the rows that person did."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.attendance import measures
from steward.attendance.tests.conftest import MONDAY, at, call
from steward.leads.models import Lead

TUESDAY = MONDAY + dt.timedelta(days=1)


def test_valid_calls_are_reached_calls_by_person_and_local_day(bank):
    """TASK-05: a reached call counts on its local (Shanghai) date — 23:30 on Monday is Monday,
    00:30 on Tuesday is Tuesday; unanswered calls, visits and other people's calls do not."""
    rm, other = bank.north_rm, bank.north_rm2
    call(rm, MONDAY, hour=9)
    call(rm, MONDAY, hour=23)  # 23:00 local, 15:00 UTC
    call(rm, TUESDAY, hour=0)  # 00:00 local on Tuesday: still Monday in UTC
    call(rm, MONDAY, reached=False)
    call(rm, MONDAY, channel="visit")
    call(other, MONDAY)
    counts = measures.valid_calls([rm.pk], MONDAY, TUESDAY)
    assert counts == {(rm.pk, MONDAY): 2, (rm.pk, TUESDAY): 1}
    assert measures.valid_calls([rm.pk, other.pk], MONDAY, MONDAY) == {(rm.pk, MONDAY): 2, (other.pk, MONDAY): 1}
    assert measures.valid_calls([bank.south_rm.pk], MONDAY, TUESDAY) == {}


def test_contacts_count_every_channel_that_reached_the_person(bank):
    """TASK-05: a visit and a call both count as contacts; a failed call does not."""
    rm = bank.north_rm
    call(rm, MONDAY)
    call(rm, MONDAY, channel="visit")
    call(rm, MONDAY, reached=False)
    assert measures.contacts([rm.pk], MONDAY, MONDAY) == {(rm.pk, MONDAY): 2}


def test_new_intent_leads_count_for_the_holder_on_the_day_they_became_intent(bank):
    """TASK-05 (file 003 §1.1 意向客户): leads whose intent_at falls on the day, by holder."""
    rm = bank.north_rm

    def lead(holder, when, name):
        return Lead.objects.create(
            name=name, mobile="", org=bank.north_team, holder=holder, source="manual", intent_at=when, stage="intent"
        )

    lead(rm, at(MONDAY, 11), "甲")
    lead(rm, at(MONDAY, 15), "乙")
    lead(rm, at(TUESDAY, 9), "丙")
    lead(bank.north_rm2, at(MONDAY, 11), "丁")
    lead(rm, None, "戊")
    assert measures.new_intent_leads([rm.pk], MONDAY, TUESDAY) == {(rm.pk, MONDAY): 2, (rm.pk, TUESDAY): 1}


def test_valid_lead_follow_ups_count_only_valid_follow_ups_on_leads(bank):
    """TASK-05 (file 003 §1.3 有效跟进): an interaction on a lead marked valid; not one on a
    customer, not one on a lead that was not valid."""
    rm = bank.north_rm
    lead = Lead.objects.create(name="线索", mobile="", org=bank.north_team, holder=rm, source="manual")
    call(rm, MONDAY, lead=lead, is_valid_followup=True)
    call(rm, MONDAY, lead=lead, is_valid_followup=False)
    call(rm, MONDAY)
    call(bank.north_rm2, MONDAY, lead=lead, is_valid_followup=True)
    assert measures.valid_lead_followups([rm.pk], MONDAY, MONDAY) == {(rm.pk, MONDAY): 1}


def test_each_measure_is_one_query_whatever_the_people_and_days(bank):
    """TASK-05: one grouped query per measure."""
    for key, measure in measures.MEASURES.items():
        with CaptureQueriesContext(connection) as read:
            measure.counter(
                [bank.north_rm.pk, bank.north_rm2.pk, bank.south_rm.pk], MONDAY, MONDAY + dt.timedelta(days=60)
            )
        assert len(read.captured_queries) == 1, key


def test_a_second_measure_under_a_used_key_is_refused():
    """TASK-06: the registry refuses a key registered twice with another counter."""
    import pytest

    with pytest.raises(ValueError):
        measures.register_measure("valid_calls", "x", lambda ids, start, end: {})
