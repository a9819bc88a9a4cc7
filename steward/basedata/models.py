"""Code tables (基础数据) and typed system parameters (系统参数) — PLT-06."""

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedManager
from steward.core.models import BilingualNameModel, TimeStampedModel


class CodeTable(BilingualNameModel, TimeStampedModel):
    """A dictionary of codes used across the product (ID types, occupations, risk levels …)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_system = models.BooleanField(
        _("system table"),
        default=False,
        help_text=_("Declared by the product; items may be edited, the table not deleted."),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("code table")
        verbose_name_plural = _("code tables")

    @classmethod
    def scope_q(cls, user, grant):
        return Q()  # bank-wide configuration

    def get_absolute_url(self) -> str:
        return reverse("basedata:codetable_detail", args=[self.pk])


class CodeItem(models.Model):
    """One entry of a code table: a stable code and its Chinese and English labels."""

    table = models.ForeignKey(CodeTable, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=50)
    label = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["table", "sort_order", "code"]
        verbose_name = _("code item")
        verbose_name_plural = _("code items")
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="uniq_code_item")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class SystemParameter(TimeStampedModel):
    """A typed setting administrators change at run time (e.g. the lead protection period)."""

    class ValueType(models.TextChoices):
        INTEGER = "int", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        BOOLEAN = "bool", _("Yes / no")
        STRING = "str", _("Text")
        DATE = "date", _("Date")
        JSON = "json", _("JSON")

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.TextField(_("value"), blank=True)
    value_type = models.CharField(_("type"), max_length=10, choices=ValueType.choices)
    default = models.TextField(_("default"), blank=True)
    label = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=50, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["group", "key"]
        verbose_name = _("system parameter")
        verbose_name_plural = _("system parameters")

    @classmethod
    def scope_q(cls, user, grant):
        return Q()

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return reverse("basedata:parameter_detail", args=[self.pk])

    def clean(self):
        try:
            parsed = parse_parameter(self.value_type, self.value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from exc
        if self.value_type in (self.ValueType.INTEGER, self.ValueType.DECIMAL):
            if self.min_value is not None and parsed < self.min_value:
                raise ValidationError({"value": _("Must be at least %(min)s.") % {"min": self.min_value.normalize()}})
            if self.max_value is not None and parsed > self.max_value:
                raise ValidationError({"value": _("Must be at most %(max)s.") % {"max": self.max_value.normalize()}})


def parse_parameter(value_type: str, raw: str):
    """Turn the stored text into its typed value, with an error message a person can act on."""
    raw = (raw or "").strip()
    try:
        if value_type == "int":
            return int(raw)
        if value_type == "decimal":
            return Decimal(raw)
        if value_type == "bool":
            lowered = raw.lower()
            if lowered in {"1", "true", "yes", "on", "是"}:
                return True
            if lowered in {"0", "false", "no", "off", "否"}:
                return False
            raise ValueError
        if value_type == "date":
            return dt.date.fromisoformat(raw)
        if value_type == "json":
            from steward.core.parsers import loads

            return loads(raw)  # bounded nesting: too deep is a ValueError, not a crash (PLT-11)
        return raw
    except (ValueError, InvalidOperation, json.JSONDecodeError):
        messages = {
            "int": _("Enter a whole number, e.g. 7."),
            "decimal": _("Enter a number, e.g. 0.35."),
            "bool": _("Enter yes or no (true/false)."),
            "date": _("Enter a date as YYYY-MM-DD."),
            "json": _("Enter valid JSON."),
        }
        raise ValueError(str(messages.get(value_type, _("Invalid value.")))) from None


class CalendarDay(TimeStampedModel):
    """An exception to the working week of the holiday calendar (DESIGN: business-day rules).

    Monday to Friday are business days and Saturday and Sunday are not, except on the days
    recorded here: a public holiday (公休, e.g. the Spring Festival on weekdays) is not a business
    day, and a weekend day worked in lieu (调休上班) is one. Leave, reminders, due dates and T+1
    schedules count business days through ``steward.basedata.calendar``."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Working day in lieu")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=50, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")

    @classmethod
    def scope_q(cls, user, grant):
        return Q()  # one calendar for the whole bank

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.display_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("basedata:calendar_edit", args=[self.pk])

    def clean(self):
        if self.date is None:
            return
        if self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError(
                {
                    "kind": _(
                        "%(date)s is a weekday, a business day already: only a Saturday or Sunday can be worked in lieu."
                    )
                    % {"date": self.date.isoformat()}
                }
            )
