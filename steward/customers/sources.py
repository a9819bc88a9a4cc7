"""The source systems that deliver the daily files, by the name their readers know them by (DAT-01).

Files, the intake API and the records they write carry a source's code (`core`, `cards`: the
manifest and the drop folder are keyed by it); people read its label from the `source_system` code
table, in Chinese or English like every code table, and an installation adds its own systems there
(Administration → Code tables). A code the table does not know is shown as it is, so a new source
still reads as something. The intake pages and the ownership conflicts both label through here."""

from steward.basedata.defaults import CodeTableSpec

SOURCE_SYSTEMS = CodeTableSpec(
    "source_system",
    "数据来源系统",
    "Source systems",
    [
        ("core", "核心系统", "Core banking"),
        ("cards", "信用卡系统", "Card system"),
    ],
)


def source_label(code: str) -> str:
    """The reader's name of source system `code` (in the active language), or the code itself."""
    from steward.basedata.services import code_label

    return code_label(SOURCE_SYSTEMS.code, code) if code else ""
