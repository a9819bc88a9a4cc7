"""Declared parameters of potential customers (LEAD-02, LEAD-10)."""

from steward.basedata.defaults import CodeTableSpec, ParameterSpec

DEFAULT_ORG = "leads.default_org"
# The external channels' names as users read them (a channel posts its code, e.g. mobile_banking).
LEAD_CHANNELS = CodeTableSpec(
    "lead_channel",
    "潜在客户来源渠道",
    "Lead channels",
    [
        ("mobile_banking", "手机银行", "Mobile banking"),
        ("online_banking", "网上银行", "Online banking"),
        ("wechat", "微信银行", "WeChat banking"),
        ("partner_site", "合作方网站", "Partner website"),
        ("call_center", "客服中心", "Call centre"),
        ("branch", "网点", "Branch"),
    ],
)
VALID_CALL_SECONDS = "leads.valid_call_seconds"

PARAMETERS = [
    ParameterSpec(
        DEFAULT_ORG,
        "str",
        "",
        "潜在客户：手机号归属地无对应机构（或境外号码）时接收的机构代码；为空时为总行",
        "Potential customers: the org (code) that receives a lead whose mobile's region has no route, "
        "or a foreign number; empty: the head office",
        "leads",
    ),
    ParameterSpec(
        VALID_CALL_SECONDS,
        "int",
        "30",
        "潜在客户：有效跟进电话的最短通话时长（秒）",
        "Potential customers: the shortest answered call (seconds) that counts as a valid follow-up",
        "leads",
        "0",
        "3600",
    ),
]
