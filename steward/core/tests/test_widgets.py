"""Issue 12, point 6 (lists as fast at 100k as at 1k): the filter widgets drawn in Python
(steward.core.widgets) produce the HTML Django's widget templates produce, for every case a filter
form meets — selected values, option groups, several values, escaping, boolean attributes."""

import re

from django import forms

from steward.core.widgets import QUICK_TWINS, quicken


def normalised(html: str) -> str:
    # Django's templates put line breaks and indentation between options; a browser ignores them.
    return re.sub(r">\s+<", "><", str(html)).strip()


class Sample(forms.Form):
    org = forms.ChoiceField(
        choices=[("", "---------"), ("1", 'Head office "HQ" <main>'), ("Branches", [("2", "East & co"), ("3", "West")])]
    )
    months = forms.MultipleChoiceField(choices=[(1, "January"), (2, "February"), (11, "November")], required=False)
    q = forms.CharField(required=False)
    aum_min = forms.DecimalField(required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"disabled": True, "readonly": False}))


def test_quick_widgets_draw_exactly_what_djangos_templates_draw():
    data = {"org": "2", "months": ["1", "11"], "q": 'Wang "the" <b>', "aum_min": "", "since": "2026-01-05"}
    for bound in (Sample(), Sample(data=data)):
        stock = {name: normalised(bound[name]) for name in bound.fields}
        for field in bound.fields.values():
            field.widget.attrs["class"] = "form-select"
            quicken(field.widget)
        assert all(type(field.widget) in QUICK_TWINS.values() for field in bound.fields.values())
        for name, field in bound.fields.items():
            field.widget.attrs.pop("class")
            assert normalised(bound[name]) == stock[name], name
    chosen = Sample(data=data)
    for field in chosen.fields.values():
        quicken(field.widget)
    html = str(chosen["org"])
    assert '<option value="2" selected>East &amp; co</option>' in html
    assert "&quot;HQ&quot; &lt;main&gt;" in html and '<optgroup label="Branches">' in html
    assert 'value="Wang &quot;the&quot; &lt;b&gt;"' in str(chosen["q"])
    assert str(chosen["months"]).count(" selected") == 2


def test_a_widget_of_another_class_is_left_as_it_is():
    widget = forms.RadioSelect(choices=[("a", "A")])
    quicken(widget)
    assert type(widget) is forms.RadioSelect
