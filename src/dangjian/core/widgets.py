"""The picker widget and field: a text box where a person types a name, pinyin or initials,
a hidden input holding the chosen row, and a results list that htmx fills from
`core.pickers.pick`. `static/js/picker.js` adds the keyboard (arrows, Enter, Escape);
without script the text box still works: the server resolves what was typed, taking
the one row it names or saying which rows it could mean.

The widget needs the user to name a chosen row and to resolve typed text inside the
user's scope: forms set it through `bind_user` (see `core.forms.ScopedForm`), page
filters through `core.page_filters.PageFilterMixin`."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import pickers

SEARCH_SUFFIX = "_search"
SHOWN_CANDIDATES = 5


class PickValue:
    """What a picker posted: the chosen id (hidden input) and the text in the box."""

    def __init__(self, pk, text):
        self.pk = (pk or "").strip() if isinstance(pk, str) else pk
        self.text = None if text is None else text.strip()

    def __bool__(self):
        return bool(self.pk) or bool(self.text)

    def __str__(self):
        # A page that carries the filter as a hidden input carries the id.
        return "" if self.pk is None else str(self.pk)


class PickerWidget(forms.Widget):
    template_name = "core/widgets/picker.html"

    def __init__(self, kind, *, action="view", options=None, attrs=None):
        super().__init__(attrs)
        self.kind, self.action, self.options = kind, action, dict(options or {})
        self.user = None

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.options = dict(self.options)  # narrowed per form instance, never on the class
        return obj

    @property
    def picker(self):
        return pickers.get_kind(self.kind)

    def value_from_datadict(self, data, files, name):
        return PickValue(data.get(name), data.get(name + SEARCH_SUFFIX))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data

    def resolve(self, value):
        """(row, error message) for a posted value; (None, None) when nothing was picked."""
        if isinstance(value, PickValue):
            pk, text = value.pk, value.text
        else:
            pk, text = value, None
        if pk and text is None and not str(pk).isdigit():
            pk, text = None, str(pk)  # a script may post the name itself
        if not pk and not text:
            return None, None
        picker = self.picker
        if pk:
            row = picker.get(self.user, pk, self.action, self.options)
            # A link or the API gives only the id; the box, when present, must still name it
            # (someone without script may have typed over a previous choice).
            if row is not None and (text is None or text == picker.label(row)):
                return row, None
            if text is None:
                return None, _("所选对象不存在或不在您的管辖范围内。")
        rows = picker.find(self.user, text, self.action, self.options)
        exact = [row for row in rows if picker.label(row) == text]
        if len(exact) == 1 or len(rows) == 1:
            return (exact or rows)[0], None
        if not rows:
            return None, _("没有找到“%(text)s”（只查找您管辖范围内的）。") % {"text": text[:pickers.MAX_QUERY]}
        names = "、".join(picker.label(row) for row in rows[:SHOWN_CANDIDATES])
        return None, _("“%(text)s”对应多个，请输入完整名称或从列表中选择：%(names)s") % {
            "text": text[:pickers.MAX_QUERY], "names": names}

    def _label(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, PickValue):
            if value.text is not None:
                return value.text
            value = value.pk
        if hasattr(value, "pk"):
            return self.picker.label(value)
        if self.user is None:
            return ""
        row = self.picker.get(self.user, value, self.action, self.options)
        return self.picker.label(row) if row is not None else ""

    def _pk(self, value):
        if isinstance(value, PickValue):
            return value.pk or ""
        if hasattr(value, "pk"):
            return value.pk
        return "" if value is None else value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        params = {"action": self.action, **self.options}
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update({
            "search_name": name + SEARCH_SUFFIX,
            "label": self._label(value),
            "pk": self._pk(value),
            "id": widget_id,
            "url": f"{reverse('pick', args=[self.kind])}?{urlencode(params)}",
        })
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template directories, not the form renderer's (which lacks them).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class PickField(forms.Field):
    """A form field naming one row of a registered picker kind; cleans to that row,
    found inside the user's scope, or to None when left empty."""

    default_error_messages = {"required": _("请从列表中选择。")}

    def __init__(self, kind, *, action="view", options=None, **kwargs):
        kwargs.setdefault("widget", PickerWidget(kind, action=action, options=options))
        super().__init__(**kwargs)

    def narrow(self, **options):
        """Narrow what may be picked (e.g. `within=<org id>`), for the list and the check."""
        self.widget.options.update({k: v for k, v in options.items() if v not in (None, "")})

    def clean(self, value):
        if not value:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        row, error = self.widget.resolve(value)
        if error:
            raise ValidationError(error, code="invalid_choice")
        return row

    def has_changed(self, initial, data):
        row, _error = self.widget.resolve(data)
        initial_pk = getattr(initial, "pk", initial)
        return str(getattr(row, "pk", "") or "") != str(initial_pk or "")


def bind_user(fields, user):
    """Give every picker among `fields` (a form's `fields` dict) the user it works for."""
    for field in fields.values():
        if isinstance(field.widget, PickerWidget):
            field.widget.user = user
