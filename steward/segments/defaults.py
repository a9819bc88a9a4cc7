"""Declared defaults of the segments app: the high-potential screen's rule (CUS-17)."""

from steward.basedata.defaults import ParameterSpec

HIGH_POTENTIAL_KEY = "segments.high_potential_rule"

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
]
