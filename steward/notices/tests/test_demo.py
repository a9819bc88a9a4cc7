from steward.access.models import RoleAssignment
from steward.notices.demo import seed_demo_notices
from steward.notices.services import current_notices_for
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_the_demo_bank_gets_notices_for_everyone_a_branch_and_the_rms(db):
    build_bank(BankSize(1, 1, 1, 1), seed=1)

    created = seed_demo_notices()
    rm = RoleAssignment.objects.current().filter(role__code="relationship_manager").first().user
    admin = Employee.objects.get(employee_no="admin")

    assert created == 3
    assert current_notices_for(rm).count() == 3
    assert current_notices_for(admin).count() == 1
    assert seed_demo_notices() == 0  # safe to re-run
