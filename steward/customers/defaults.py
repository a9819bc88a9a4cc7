"""Code tables and parameters the customers app declares (created after `migrate` when missing)."""

from steward.basedata.defaults import CODE_TABLES, PARAMETERS, CodeTableSpec, ParameterSpec

INCOME_BANDS = CodeTableSpec(
    "income_band",
    "年收入区间",
    "Income bands",
    [
        ("01", "10万元以下", "Under ¥100,000"),
        ("02", "10万–30万元", "¥100,000–300,000"),
        ("03", "30万–50万元", "¥300,000–500,000"),
        ("04", "50万–100万元", "¥500,000–1,000,000"),
        ("05", "100万元以上", "Over ¥1,000,000"),
    ],
)
LEAVER_FALLBACK = ParameterSpec(
    "customers.leaver_fallback_roles",
    "str",
    "team_lead,branch_manager",
    "员工离职时客户移交的角色顺序（角色代码，逗号分隔）",
    "Who inherits a leaver's customers: role codes in order, at their org or the nearest above",
    "customers",
)

DUPLICATE_ID_LIMIT = ParameterSpec(
    "customers.duplicate_id_attempts_per_hour",
    "int",
    "10",
    "每名员工每小时可尝试录入他人名下（不可见）客户证件号码的次数，超过则暂停新增客户",
    "Per employee and hour: how often an ID number of a customer they cannot see may be entered "
    "before creating customers is paused (0: no limit)",
    "customers",
    min_value="0",
)

OWNER_OVERRIDE = ParameterSpec(
    "customers.core_banking_overrides_owner",
    "bool",
    "false",
    "核心系统客户文件可否改变在本系统中确定的管户客户经理（否：记录为管户冲突，由管理员处理）",
    "May the core-banking customers file change an owner decided in Steward (no: the disagreement "
    "is recorded as an ownership conflict for an administrator)",
    "customers",
)


def register_defaults() -> None:
    from steward.customers.sources import SOURCE_SYSTEMS

    for table in (INCOME_BANDS, SOURCE_SYSTEMS):
        if not any(spec.code == table.code for spec in CODE_TABLES):
            CODE_TABLES.append(table)
    for spec in (LEAVER_FALLBACK, DUPLICATE_ID_LIMIT, OWNER_OVERRIDE):
        if not any(known.key == spec.key for known in PARAMETERS):
            PARAMETERS.append(spec)
