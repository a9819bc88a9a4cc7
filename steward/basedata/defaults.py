"""Code tables and parameters the product declares; each app adds its own here or in its apps.

They are created when missing after `migrate` and never overwrite what administrators edited.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    value_type: str
    default: str
    label: str
    label_en: str
    group: str = ""
    min_value: str | None = None
    max_value: str | None = None


@dataclass(frozen=True)
class CodeTableSpec:
    code: str
    name: str
    name_en: str
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (code, 中文, English)


PARAMETERS: list[ParameterSpec] = [
    ParameterSpec(
        "leads.protection_days",
        "int",
        "7",
        "潜在客户保护期（天）",
        "Lead protection period (days)",
        "leads",
        "1",
        "365",
    ),
    ParameterSpec(
        "leads.max_follow_ups",
        "int",
        "5",
        "最多跟进次数",
        "Maximum follow-ups before return to pool",
        "leads",
        "1",
        "100",
    ),
    ParameterSpec(
        "customers.large_transaction_threshold",
        "decimal",
        "500000",
        "大额交易提醒阈值（元）",
        "Large-transaction reminder threshold (CNY)",
        "customers",
        "0",
    ),
    ParameterSpec(
        "customers.maturity_reminder_days",
        "int",
        "30",
        "产品到期提醒提前天数",
        "Product maturity reminder lead time (days)",
        "customers",
        "1",
        "366",
    ),
    # Reminders of the reminder centre (docs/reminders-calendar.md): lead times of the kinds
    # the daily intake and the market-events file raise.
    ParameterSpec(
        "holdings.risk_expiry_reminder_days",
        "int",
        "30",
        "风险评估到期提醒提前天数",
        "Risk assessment expiry reminder lead time (days)",
        "holdings",
        "0",
        "366",
    ),
    ParameterSpec(
        "holdings.important_date_reminder_days",
        "int",
        "7",
        "客户重要日期提醒提前天数",
        "Customers' important dates reminder lead time (days)",
        "holdings",
        "0",
        "60",
    ),
    ParameterSpec(
        "holdings.market_event_reminder_days",
        "int",
        "30",
        "新股申购、分红提醒提前天数",
        "IPO subscription and dividend reminder lead time (days)",
        "holdings",
        "0",
        "366",
    ),
    ParameterSpec(
        "security.session_idle_minutes",
        "int",
        "30",
        "会话空闲超时（分钟）",
        "Session idle timeout (minutes)",
        "security",
        "5",
        "720",
    ),
    ParameterSpec(
        "security.api_token_lifetime_days",
        "int",
        "90",
        "API 令牌有效期（天）",
        "API token lifetime (days)",
        "security",
        "1",
        "3650",
    ),
    ParameterSpec(
        "security.api_token_idle_days",
        "int",
        "30",
        "API 令牌闲置失效（天）",
        "API token idle limit (days)",
        "security",
        "1",
        "365",
    ),
    ParameterSpec(
        "ui.default_page_size", "int", "20", "列表默认每页行数", "Default rows per list page", "ui", "10", "200"
    ),
    ParameterSpec("ui.show_online_banner", "bool", "true", "显示系统公告滚动条", "Show the system notice banner", "ui"),
]

CODE_TABLES: list[CodeTableSpec] = [
    CodeTableSpec(
        "id_type",
        "证件类型",
        "ID types",
        [
            ("01", "居民身份证", "Resident ID card"),
            ("02", "护照", "Passport"),
            ("03", "港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
            ("04", "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
            ("05", "外国人永久居留身份证", "Foreign permanent resident ID"),
            ("06", "军官证", "Military officer ID"),
        ],
    ),
    CodeTableSpec(
        "occupation",
        "职业",
        "Occupations",
        [
            ("01", "国家机关、党群组织、企业、事业单位负责人", "Heads of government, party and enterprises"),
            ("02", "专业技术人员", "Professional and technical staff"),
            ("03", "办事人员和有关人员", "Clerical staff"),
            ("04", "商业、服务业人员", "Commerce and service workers"),
            ("05", "农、林、牧、渔、水利业生产人员", "Agriculture, forestry, fishery workers"),
            ("06", "生产、运输设备操作人员及有关人员", "Production and transport operators"),
            ("07", "军人", "Military"),
            ("08", "自由职业者", "Self-employed"),
            ("09", "退休人员", "Retired"),
            ("99", "其他", "Other"),
        ],
    ),
    CodeTableSpec(
        "risk_level",
        "风险等级",
        "Risk levels",
        [
            ("R1", "R1 谨慎型", "R1 Cautious"),
            ("R2", "R2 稳健型", "R2 Conservative"),
            ("R3", "R3 平衡型", "R3 Balanced"),
            ("R4", "R4 进取型", "R4 Growth"),
            ("R5", "R5 激进型", "R5 Aggressive"),
        ],
    ),
    CodeTableSpec(
        "customer_source",
        "客户来源",
        "Customer sources",
        [
            ("branch", "网点开户", "Branch account opening"),
            ("mobile_app", "手机银行", "Mobile banking"),
            ("referral", "客户转介", "Referral"),
            ("payroll", "代发工资", "Payroll"),
            ("institution", "机构合作", "Institutional association"),
            ("event", "营销活动", "Marketing event"),
            ("import", "批量导入", "Bulk import"),
        ],
    ),
    CodeTableSpec(
        "education",
        "学历",
        "Education",
        [
            ("01", "博士研究生", "Doctorate"),
            ("02", "硕士研究生", "Master's"),
            ("03", "大学本科", "Bachelor's"),
            ("04", "大学专科", "Associate degree"),
            ("05", "高中及以下", "High school or below"),
        ],
    ),
    CodeTableSpec(
        "employee_position",
        "岗位",
        "Positions",
        [
            ("rm", "个人客户经理", "Relationship manager"),
            ("team_lead", "团队主管", "Team lead"),
            ("branch_manager", "行长", "Branch manager"),
            ("marketing", "营销管理岗", "Marketing manager"),
            ("compliance", "合规审计岗", "Compliance auditor"),
            ("it_admin", "系统管理员", "System administrator"),
            ("teller", "柜员", "Teller"),
        ],
    ),
    CodeTableSpec(
        "employee_level",
        "级别",
        "Levels",
        [
            ("L1", "助理客户经理", "Assistant RM"),
            ("L2", "客户经理", "RM"),
            ("L3", "高级客户经理", "Senior RM"),
            ("L4", "资深客户经理", "Principal RM"),
            ("L5", "首席客户经理", "Chief RM"),
        ],
    ),
    CodeTableSpec(
        "employee_tier",
        "层级",
        "Tiers",
        [
            ("T1", "一级", "Tier 1"),
            ("T2", "二级", "Tier 2"),
            ("T3", "三级", "Tier 3"),
        ],
    ),
]
