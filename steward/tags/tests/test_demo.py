from steward.customers.demo import seed_demo_customers
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee
from steward.tags.demo import seed_demo_tags
from steward.tags.models import CustomerGroup, CustomerTag, Tag, TagCategory


def test_demo_tags_and_groups_are_created_once_for_the_demo_logins(db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=2, rms_per_team=2))
    seed_demo_customers(count=80)
    assert seed_demo_tags() > 0
    assert seed_demo_tags() == 0  # idempotent
    assert TagCategory.objects.count() == 4
    assert Tag.objects.filter(kind="rule").count() >= 2
    rm = Employee.objects.get(employee_no="rm")
    assert CustomerTag.objects.filter(source="manual", tagged_by=rm).exists()
    assert Tag.objects.get(code="near-retirement").computed_at is not None
    personal = CustomerGroup.objects.get(kind="personal")
    assert personal.owner == rm and personal.members.count() == 12
    system = CustomerGroup.objects.get(kind="system")
    assert system.members.count() == 8
    assert (
        not CustomerGroup.objects.visible_to(Employee.objects.get(employee_no="admin"), "tags.group:view")
        .filter(pk=personal.pk)
        .exists()
    )
