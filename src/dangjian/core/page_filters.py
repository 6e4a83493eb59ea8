"""Filter forms on pages: compact widgets that work on a phone. Every app's page
FilterSets mix this in over the FilterSet that the API shares."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .widgets import PickField, bind_user


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


class PickIdField(PickField):
    """A picker in a filter shared with the API: cleans to the chosen row's id, as the
    API's number parameter does."""

    def clean(self, value):
        row = super().clean(value)
        return None if row is None else row.pk


class PageFilterMixin:
    """Drop-downs instead of multi-selects, "全部" first, pickers instead of ids;
    `hidden_fields` are carried by links but not shown. A filter names its picker kind
    with a `picker` attribute (as `orgs.filters.WithinFilter` does) or through
    `pickers = {filter name: kind}`. Pass `request=` so pickers work in the user's scope."""

    hidden_fields = ()
    pickers = {}

    @property
    def form(self):
        form = super().form
        bind_user(form.fields, getattr(self.request, "user", None))
        return form

    def get_form_class(self):
        form_class = super().get_form_class()
        for name, field in list(form_class.base_fields.items()):
            kind = self.pickers.get(name) or getattr(self.filters.get(name), "picker", None)
            if kind and name not in self.hidden_fields:
                form_class.base_fields[name] = PickIdField(kind, label=field.label, required=False)
            elif isinstance(field, forms.MultipleChoiceField):
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
