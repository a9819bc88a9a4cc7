"""Declared defaults of the segments app: the high-potential screen's rule and the at-risk
screen's maturity window (CUS-17)."""

from steward.basedata.defaults import ParameterSpec

HIGH_POTENTIAL_KEY = "segments.high_potential_rule"
AT_RISK_MATURITY_DAYS_KEY = "segments.at_risk_maturity_days"

PARAMETERS = [
    ParameterSpec(
        HIGH_POTENTIAL_KEY,
        "json",
        '{"op": "and", "rules": ['
        '{"field": "age", "operator": "between", "value": [25, 45]}, '
        '{"field": "aum", "operator": "between", "value": ["50000", "500000"]}, '
        '{"field": "avg_daily_assets_month", "operator": "gte", "value": "50000"}]}',
        "高潜力客户筛选规则（筛选定义JSON）",
        "High-potential customers: screening rule (filter definition JSON)",
        "segments",
    ),
    ParameterSpec(
        AT_RISK_MATURITY_DAYS_KEY,
        "int",
        "30",
        "流失预警：产品到期未续投的回看天数",
        "At-risk customers: look-back for a product matured and not reinvested (days)",
        "segments",
        "1",
        "366",
    ),
]
