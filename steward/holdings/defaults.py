"""Declared defaults of the holdings app: system parameters and the product category tree."""

from steward.basedata.defaults import CodeTableSpec, ParameterSpec

PARAMETERS = [
    ParameterSpec(
        "holdings.tier_thresholds",
        "json",
        '{"普通": 0, "金卡": 50000, "白金": 500000, "钻石": 2000000, "私行": 6000000}',
        "客户等级AUM门槛（元）",
        "Customer tier AUM thresholds (CNY)",
        "holdings",
    ),
    ParameterSpec(
        "holdings.contribution_rates",
        "json",
        '{"deposits": 0.015, "loans": 0.025, "wealth": 0.005, "funds": 0.008, "insurance": 0.02, '
        '"bonds": 0.002, "metals": 0.004, "cards": 0.03}',
        "贡献度年化费率（按产品大类）",
        "Contribution: annual rate by product category (spread, interest or fees)",
        "holdings",
    ),
    ParameterSpec(
        "holdings.card_expiry_reminder_days",
        "int",
        "30",
        "卡片到期提醒提前天数",
        "Card expiry reminder lead time (days)",
        "holdings",
        "0",
        "180",
    ),
    ParameterSpec(
        "holdings.birthday_reminder_days",
        "int",
        "7",
        "生日提醒提前天数",
        "Birthday reminder lead time (days)",
        "holdings",
        "0",
        "60",
    ),
    ParameterSpec(
        "holdings.drop_folder",
        "str",
        "",
        "T+1数据投放目录",
        "T+1 data drop folder (one sub-folder per data date)",
        "holdings",
    ),
    # docs/data-intake.md "Sources and the manifest": a day's figures are derived once every
    # source listed here has delivered the entities listed for it.
    ParameterSpec(
        "holdings.intake_manifest",
        "json",
        '{"core": ["accounts"]}',
        "T+1数据清单：各来源系统每日必须提供的文件",
        "T+1 manifest: the files each source system must deliver for a day",
        "holdings",
    ),
    ParameterSpec(
        "holdings.intake_hold_shrink_ratio",
        "decimal",
        "0.5",
        "账户快照骤减暂停比例（低于上一日行数的此比例即暂停待确认）",
        "Hold an accounts snapshot for confirmation below this share of the source's previous day",
        "holdings",
        "0",
        "1",
    ),
    ParameterSpec(
        "holdings.intake_lease_minutes",
        "int",
        "30",
        "数据加载租约（分钟）：超时未完成的加载视为失败",
        "Intake lease (minutes): a load still running after it is recovered as failed",
        "holdings",
        "1",
        "1440",
    ),
]

# (code, 中文, English, parent code)
CATEGORIES = [
    ("deposits", "存款", "Deposits", None),
    ("demand", "活期存款", "Demand deposits", "deposits"),
    ("time", "定期存款", "Time deposits", "deposits"),
    ("wealth", "理财", "Wealth management", None),
    ("funds", "基金", "Funds", None),
    ("insurance", "保险", "Insurance", None),
    ("bonds", "债券", "Bonds", None),
    ("metals", "贵金属", "Precious metals", None),
    ("loans", "贷款", "Loans", None),
    ("cards", "信用卡", "Credit cards", None),
]

# The channels of the transactions file (docs/data-intake.md), by their names in both languages;
# an installation adds its source systems' other channels in Administration → Code tables.
TRANSACTION_CHANNELS = CodeTableSpec(
    "transaction_channel",
    "交易渠道",
    "Transaction channels",
    [
        ("counter", "柜面", "Counter"),
        ("mobile", "手机银行", "Mobile banking"),
        ("online", "网上银行", "Online banking"),
        ("atm", "自助设备", "ATM"),
        ("pos", "POS 刷卡", "POS"),
        ("payroll", "代发工资", "Payroll"),
    ],
)
