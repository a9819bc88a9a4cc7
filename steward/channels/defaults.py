"""System parameters of the channels (INT-05), added to the declared defaults at start-up."""

from steward.basedata.defaults import ParameterSpec

MAX_ATTEMPTS = "channels.max_attempts"
RETRY_SECONDS = "channels.retry_base_seconds"
SMS_WINDOW_START = "channels.sms_window_start"
SMS_WINDOW_END = "channels.sms_window_end"
RECEIPT_WAIT_HOURS = "channels.sms_receipt_wait_hours"

PARAMETERS = [
    ParameterSpec(
        MAX_ATTEMPTS, "int", "5", "消息最多发送尝试次数", "Message: most attempts to send", "channels", "1", "20"
    ),
    ParameterSpec(
        RETRY_SECONDS,
        "int",
        "60",
        "消息重试首次等待（秒，之后逐次加倍）",
        "Message: wait before the first retry (seconds, doubling each time)",
        "channels",
        "1",
        "86400",
    ),
    ParameterSpec(
        SMS_WINDOW_START, "str", "08:00", "短信发送时段开始（HH:MM）", "SMS send window opens (HH:MM)", "channels"
    ),
    ParameterSpec(
        SMS_WINDOW_END, "str", "21:00", "短信发送时段结束（HH:MM）", "SMS send window closes (HH:MM)", "channels"
    ),
    ParameterSpec(
        RECEIPT_WAIT_HOURS,
        "int",
        "48",
        "短信回执等待时长（小时）",
        "SMS: hours to wait for a delivery report before the message counts as sent",
        "channels",
        "1",
        "720",
    ),
]
