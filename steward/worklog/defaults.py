"""Declared parameters of work plans and warnings (SVC-06)."""

from steward.basedata.defaults import ParameterSpec

PARAMETERS = [
    ParameterSpec(
        "worklog.reminder_open_days",
        "int",
        "3",
        "工作预警：提醒到期后仍未处理超过的天数",
        "Work warnings: days a reminder may stay open after its date before it is a warning",
        "worklog",
        "0",
        "365",
    ),
]
