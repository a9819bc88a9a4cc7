from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# An integer a form takes without a bound of its own fits a 32-bit column (PLT-11): beyond it,
# SQLite raised "Python int too large" and PostgreSQL "integer out of range" — a 500, not a form error.
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def bound_integer(field) -> None:
    if not isinstance(field, forms.IntegerField) or isinstance(field, forms.FloatField | forms.DecimalField):
        return
    if field.max_value is None:
        field.max_value = INTEGER_RANGE[1]
        field.validators.append(MaxValueValidator(INTEGER_RANGE[1]))
        field.widget.attrs.setdefault("max", INTEGER_RANGE[1])
    if field.min_value is None:
        field.min_value = INTEGER_RANGE[0]
        field.validators.append(MinValueValidator(INTEGER_RANGE[0]))


class StewardFormMixin:
    """Forms know who is filling them in (choices narrow to the user's scope) and look like Tabler."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_integer(field)
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class StewardModelForm(StewardFormMixin, forms.ModelForm):
    """Personal-data fields are never pre-filled in plain: the input shows the masked value as a
    placeholder, and leaving it empty keeps the stored value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.privacy.masking import mask

        self.kept_pii: set[str] = set()
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            kind = getattr(self._meta.model._meta._forward_fields_map.get(name), "pii_kind", None)
            stored = getattr(self.instance, name, "")
            if kind and stored:
                self.initial[name] = ""
                field.required = False
                field.widget.attrs["placeholder"] = mask(kind, stored)
                field.help_text = _("Leave empty to keep the current value.")
                self.kept_pii.add(name)

    def clean(self):
        cleaned = super().clean()
        for name in self.kept_pii:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class StewardForm(StewardFormMixin, forms.Form):
    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
