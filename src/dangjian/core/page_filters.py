"""Filter forms on pages: compact widgets that work on a phone. Every app's page
FilterSets mix this in over the FilterSet that the API shares."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SelectOne(forms.Select):
    """A drop-down for a multiple-choice filter: one choice picked on the page, while links
    (from overview figures) may still pass several values."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [v for v in values if v]

    def get_context(self, name, value, attrs):
        self.choices = [("", _("全部")), *[c for c in self.choices if c[0] != ""]]
        return super().get_context(name, value, attrs)


class AnyYesNo(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]


class PageFilterMixin:
    """Drop-downs instead of multi-selects, "全部" first, numeric keypads for ids;
    `hidden_fields` are carried by links but not shown."""

    hidden_fields = ()

    def get_form_class(self):
        form_class = super().get_form_class()
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                field.widget = SelectOne(choices=field.choices)
            elif isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("全部")  # its choices come from a queryset: keep its widget
            elif isinstance(field, forms.ChoiceField):
                field.widget = forms.Select(choices=[("", _("全部")), *[c for c in field.choices if c[0] != ""]])
            elif isinstance(field, forms.NullBooleanField):
                field.widget = AnyYesNo()
            elif isinstance(field, forms.DecimalField):
                field.widget = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1})
            if name in self.hidden_fields:
                field.widget = forms.HiddenInput()
        return form_class
