"""Declared parameters of the privacy app (PLT-13)."""

from steward.basedata.defaults import ParameterSpec

PARAMETERS = [
    ParameterSpec(
        "privacy.bulk_unmask_threshold",
        "int",
        "50",
        "批量明文查看阈值（单次请求记录数，超过需批量明文权限）",
        "Bulk unmask threshold (records in one request; more need the bulk unmask permission)",
        "privacy",
        "1",
        "10000",
    ),
]
