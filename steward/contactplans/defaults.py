"""Declared parameters of contact plans and key customers (SVC-01, CUS-14)."""

from steward.basedata.defaults import ParameterSpec

KEY_SHARE = "contactplans.key_customer_share"
KEY_CONTACT_DAYS = "contactplans.key_contact_days"

PARAMETERS = [
    ParameterSpec(
        KEY_SHARE,
        "decimal",
        "0.20",
        "重点客户：客户经理名下按AUM排名的前占比",
        "Key customers: the top share of an RM's book by AUM",
        "contactplans",
        "0.01",
        "1",
    ),
    ParameterSpec(
        KEY_CONTACT_DAYS,
        "json",
        '{"私行": 14, "钻石": 30, "白金": 30, "default": 60}',
        "重点客户最长联系间隔（天，按客户等级；default 为其余等级）",
        "Key customers: the longest gap between contacts, in days, per tier (default: any other tier)",
        "contactplans",
    ),
]
