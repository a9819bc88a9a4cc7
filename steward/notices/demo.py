"""Demo notices for `manage.py seed_demo`: one for everyone, one for a branch, one for a role."""

import datetime as dt

from django.utils import timezone

from steward.access.models import Role
from steward.notices import services
from steward.notices.models import Notice
from steward.org.models import Employee, Org


def seed_demo_notices(now=None) -> int:
    now = now or timezone.now()
    admin = Employee.objects.filter(employee_no="admin").first()
    if admin is None or Notice.objects.exists():
        return 0
    branch = Org.objects.filter(kind=Org.Kind.BRANCH).order_by("code").first()
    rm_role = Role.objects.filter(code="relationship_manager").first()
    notices = [
        {
            "title": "系统将于本周六 22:00–24:00 升级维护",
            "body": "维护期间系统暂停服务，请提前保存工作。\n\n如有疑问请联系信息科技部。",
            "level": Notice.Level.IMPORTANT,
        },
        {
            "title": "请于本月底前完成存量客户风险评估复核",
            "body": "风险评估过期的客户不能购买理财产品。\n\n请在客户视图中查看评估到期日。",
            "audience": Notice.Audience.ROLES,
            "roles": [rm_role] if rm_role else [],
        },
        {
            "title": "分行季度营销例会下周一召开",
            "body": "请各支行负责人准备上季度营销活动总结。",
            "audience": Notice.Audience.ORGS,
            "orgs": [branch] if branch else [],
        },
    ]
    created = 0
    for fields in notices:
        if (fields.get("audience") == Notice.Audience.ROLES and not fields["roles"]) or (
            fields.get("audience") == Notice.Audience.ORGS and not fields["orgs"]
        ):
            continue
        notice = services.save_notice(
            admin,
            None,
            valid_from=now - dt.timedelta(hours=1),
            valid_until=now + dt.timedelta(days=30),
            now=now,
            **fields,
        )
        services.publish_notice(admin, notice, now)
        created += 1
    return created
