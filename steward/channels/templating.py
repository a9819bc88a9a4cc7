"""Message templates with recipient fields — INT-05.

A template is text with placeholders in braces: ``尊敬的{name}{title}，您的理财产品将于下周到期。``.
Only the fields listed here exist; ``{{`` and ``}}`` write a literal brace. A placeholder that is
not a field (or a format such as ``{name!r}`` / ``{name:>10}`` / ``{name.x}``) is refused, naming
it, before anything is queued.

Templates are rendered by the database itself while the messages are inserted (one
``INSERT … SELECT`` for any number of recipients): each field is an SQL expression over the
recipient's row, so no recipient is read into Python and nothing in a template is ever evaluated.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.core.errors import DomainError


@dataclass(frozen=True)
class TemplateField:
    label: object
    expression: object  # an expression over the recipient's row


def _text(expression):
    return Coalesce(expression, Value(""), output_field=CharField())


CUSTOMER_FIELDS: dict[str, TemplateField] = {
    "name": TemplateField(gettext_lazy("the customer's name"), _text(F("name"))),
    "surname": TemplateField(gettext_lazy("the customer's surname (first character)"), _text(Substr("name", 1, 1))),
    # The honorific follows the name in Chinese: 张三先生 / 李四女士; nothing when the gender is unknown.
    "title": TemplateField(
        gettext_lazy("the honorific after the name by gender (先生 / 女士)"),
        Case(
            When(gender="M", then=Value("先生")),
            When(gender="F", then=Value("女士")),
            default=Value(""),
            output_field=CharField(),
        ),
    ),
    "rm_name": TemplateField(gettext_lazy("the relationship manager's name"), _text(F("owner__name"))),
    "branch": TemplateField(gettext_lazy("the managing org's name"), _text(F("org__name"))),
}

EMPLOYEE_FIELDS: dict[str, TemplateField] = {
    "name": TemplateField(gettext_lazy("the employee's name"), _text(F("name"))),
    "surname": TemplateField(gettext_lazy("the employee's surname (first character)"), _text(Substr("name", 1, 1))),
    "branch": TemplateField(gettext_lazy("the employee's org"), _text(F("org__name"))),
}


@dataclass(frozen=True)
class ParsedTemplate:
    parts: tuple  # str (literal text) or the name of a field, in order

    @property
    def fields(self) -> set[str]:
        return {part for kind, part in self.parts if kind == "field"}


def parse(text: str, fields: dict[str, TemplateField], *, what: str) -> ParsedTemplate:
    """Split `text` into literal text and known fields; a DomainError naming the placeholder at
    fault (and the input, `what`: "body" or "subject") otherwise."""
    parts = []
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError:
        raise DomainError(
            _("The text has a brace that does not close: write {{ or }} for a brace itself."), field=what
        ) from None
    known = ", ".join("{%s}" % name for name in fields)
    for literal, name, spec, conversion in pieces:
        if literal:
            parts.append(("text", literal))
        if name is None:
            continue
        placeholder = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in fields:
            raise DomainError(
                _("The placeholder %(placeholder)s is not a field of the recipients; use %(fields)s.")
                % {"placeholder": placeholder, "fields": known},
                field=what,
            )
        if spec or conversion:
            raise DomainError(
                _("The placeholder %(placeholder)s has a format; write just {%(name)s}.")
                % {"placeholder": placeholder, "name": name},
                field=what,
            )
        parts.append(("field", name))
    return ParsedTemplate(tuple(parts))


def expression(template: ParsedTemplate, fields: dict[str, TemplateField]):
    """The SQL expression rendering `template` for each recipient row."""
    pieces = [Value(part) if kind == "text" else fields[part].expression for kind, part in template.parts]
    if not pieces:
        return Value("", output_field=CharField())
    if len(pieces) == 1:
        return pieces[0] if not isinstance(pieces[0], Value) else Value(pieces[0].value, output_field=CharField())
    return Concat(*pieces, output_field=CharField())


def field_help(fields: dict[str, TemplateField]) -> list[tuple[str, str]]:
    return [("{%s}" % name, str(field.label)) for name, field in fields.items()]
