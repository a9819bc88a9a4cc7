"""A logging filter that masks anything shaped like an ID, mobile or card number in every log line."""

import logging
import re

from steward.privacy.masking import mask_card, mask_id_number, mask_mobile

ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(\d{16}|\d{19})(?!\d)")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def redact(text: str) -> str:
    text = ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = CARD_RE.sub(lambda m: mask_card(m.group(0)), text)
    return MOBILE_RE.sub(lambda m: mask_mobile(m.group(0)), text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
