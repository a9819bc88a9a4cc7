import json

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.core import parsers as bounded_json
from steward.core.forms import StewardForm
from steward.org.models import Org
from steward.tags.models import CustomerGroup, Tag, TagCategory


class CategoryForm(StewardForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            for name in ("code", "name", "description", "sort_order", "is_active"):
                self.initial.setdefault(name, getattr(self.instance, name))
            self.fields["code"].disabled = True
        else:
            del self.fields["is_active"]


class TagForm(StewardForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=TagCategory.objects.filter(is_active=True))
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Used in filter rules: has tag <code>."))
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Tag.Kind.choices)
    definition = forms.CharField(
        label=_("Rule (filter definition JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}),
        help_text=_("Rule tags only: the same language as the customer filter (build it there, then copy it)."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    color = forms.ChoiceField(
        label=_("Colour"),
        choices=[(c, c) for c in ("blue", "azure", "green", "lime", "orange", "red", "purple", "pink", "teal", "gray")],
        initial="blue",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            tag = self.instance
            self.fields["category"].queryset = TagCategory.objects.filter(is_active=True) | TagCategory.objects.filter(
                pk=tag.category_id
            )
            for name in ("category", "code", "name", "kind", "description", "color"):
                self.initial.setdefault(name, getattr(tag, name if name != "category" else "category_id"))
            if tag.definition is not None:
                self.initial.setdefault("definition", json.dumps(tag.definition, ensure_ascii=False, indent=1))
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def clean_definition(self):
        text = (self.cleaned_data.get("definition") or "").strip()
        if not text:
            return None
        try:
            return bounded_json.loads(text)  # JSON nested too deeply is a ValueError too (PLT-11)
        except ValueError as error:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": error}) from error


class GroupForm(StewardForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerGroup.Kind.choices, initial=CustomerGroup.Kind.PERSONAL)
    org = forms.ModelChoiceField(
        label=_("Org (system groups)"),
        queryset=Org.objects.none(),
        required=False,
        help_text=_("A system group is seen by the staff of this org and below."),
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args, can_manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        if user is not None:
            self.fields["org"].queryset = Org.objects.visible_to(user, "tags.group:manage") | Org.objects.filter(
                pk=user.org_id
            )
        if self.instance is not None:
            for name in ("name", "kind", "org", "description"):
                self.initial.setdefault(name, getattr(self.instance, name if name != "org" else "org_id"))
            self.fields["kind"].disabled = True
            if self.instance.kind == CustomerGroup.Kind.PERSONAL:
                del self.fields["org"]
        elif not can_manage:
            del self.fields["kind"]
            del self.fields["org"]
