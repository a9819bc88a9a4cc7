"""Declared parameters of potential customers (LEAD-02)."""

from steward.basedata.defaults import ParameterSpec

DEFAULT_ORG = "leads.default_org"

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
]
