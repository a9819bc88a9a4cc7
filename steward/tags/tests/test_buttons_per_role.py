"""PLT-03 (DESIGN.md "the menu and every button render only when permitted"): for every seed role,
a button or link to another page shows exactly when that page answers 200 — "Request allocation"
on the unassigned customers, "Open the rule in the customer filter" on a rule tag — and no link
on these pages leads to a 403."""

import re

import pytest

from steward.access.models import RoleAssignment
from steward.access.seed import ROLE_TEMPLATES, ensure_seed_roles
from steward.access.services import forget_grants
from steward.tags.tests.conftest import customer
from steward.tags.tests.factories import CategoryFactory, TagFactory
from steward.testing import EmployeeFactory

ROLES = [template.code for template in ROLE_TEMPLATES]
HREF = re.compile(r'href="(/[^"#]*)"')
# Links that are not pages of the app: they log out, switch the language or download.
NOT_PAGES = ("/static/", "/logout/", "/language/")


@pytest.fixture
def world(bank):
    roles = ensure_seed_roles()
    team = bank.north_team
    unassigned = customer(bank, "C501", owner=None)
    owned = customer(bank, "C502")
    rule_tag = TagFactory(
        category=CategoryFactory(code="life", name="生命周期"),
        code="senior",
        name="老年客户",
        kind="rule",
        definition={"op": "and", "rules": [{"field": "age", "operator": ">=", "value": 60}]},
    )
    people = {}
    for number, template in enumerate(ROLE_TEMPLATES, start=1):
        person = EmployeeFactory(employee_no=f"ROLE{number}", org=team)
        RoleAssignment.objects.create(user=person, role=roles[template.code], org=team, scope=template.default_scope)
        forget_grants(person)
        people[template.code] = person
    return {"people": people, "unassigned": unassigned, "owned": owned, "rule_tag": rule_tag}


def shown(client, url, testid) -> bool | None:
    """Whether the page at `url` shows the element `testid` (None: the page itself is not open to the role)."""
    response = client.get(url)
    if response.status_code != 200:
        return None
    return f'data-testid="{testid}"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_request_allocation_shows_exactly_when_its_page_opens(world, client, role):
    """CUS-09: the unassigned list offers "Request allocation" only to roles whose request page answers 200."""
    client.force_login(world["people"][role])
    button = shown(client, "/customers/unassigned/", "allocation-request")
    if button is None:
        pytest.skip(f"{role} does not see the unassigned customers")
    opens = client.get("/customers/allocation/").status_code
    assert opens in (200, 403)
    assert button is (opens == 200), f"{role}: button shown={button}, page answers {opens}"


@pytest.mark.parametrize("role", ROLES)
def test_open_the_rule_shows_exactly_when_the_filter_opens(world, client, role):
    """CUS-05: a rule tag's page links to the customer filter only for roles that may open the filter."""
    client.force_login(world["people"][role])
    link = shown(client, f"/tags/{world['rule_tag'].pk}/", "open-rule")
    if link is None:
        pytest.skip(f"{role} does not see customer tags")
    opens = client.get("/segments/filter/").status_code
    assert opens in (200, 403)
    assert link is (opens == 200), f"{role}: link shown={link}, filter answers {opens}"


def test_each_seed_role_meets_both_sides_somewhere(world, client):
    """The two tests above are not vacuous: some seed role sees each button and some role does not."""
    seen = {"allocation-request": set(), "open-rule": set()}
    for role, person in world["people"].items():
        client.force_login(person)
        for testid, url in (
            ("allocation-request", "/customers/unassigned/"),
            ("open-rule", f"/tags/{world['rule_tag'].pk}/"),
        ):
            if shown(client, url, testid):
                seen[testid].add(role)
    assert "relationship_manager" in seen["allocation-request"]
    assert "compliance_auditor" not in seen["allocation-request"]
    assert "marketing_manager" in seen["open-rule"]
    assert "compliance_auditor" not in seen["open-rule"]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_these_pages_answers_403(world, client, role):
    """PLT-03: every link a role is shown on the customer, tag and parameter pages opens for it."""
    client.force_login(world["people"][role])
    pages = [
        "/customers/unassigned/",
        f"/customers/{world['owned'].pk}/",
        f"/tags/{world['rule_tag'].pk}/",
        "/tags/tags/",
        "/basedata/parameters/",
    ]
    links: dict[str, str] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(NOT_PAGES) and "export=" not in href:
                links.setdefault(href, page)
    forbidden = [(href, page) for href, page in links.items() if client.get(href).status_code == 403]
    assert forbidden == [], f"{role} is shown links that answer 403: {forbidden}"
