"""Optimistic concurrency for editable records.

Every editable record carries a `version` that each save increments. A caller that read
version N and wants to write says so (`expected_version=N`); the service compares it
with the row it has locked (`select_for_update`, and SQLite's IMMEDIATE transactions
serialise writers) and raises `core.exceptions.ConflictError` when someone else saved in
between. Nothing is written then: the first change stays, the second caller is told.
Pages answer 409 and show what changed meanwhile, the API answers 409 (a stale
`version` in the body) or 412 (a stale `If-Match`)."""

import inspect

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import ConflictError


class VersionedModel(models.Model):
    """Abstract base: a `version` that every save of an existing row increments."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def check_version(obj, expected_version):
    """Refuse (ConflictError) unless the locked row `obj` is still at `expected_version`.

    `None` means the caller did not say which version it read: last writer wins, as
    before versions existed."""
    if expected_version is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if expected != obj.version:
        raise ConflictError(current=obj)


# Forms ---------------------------------------------------------------------------------
# core.generic_views.ObjectEditView calls these for any edit whose service takes
# `expected_version`: the form carries the version the page was built from, and a stale
# save re-renders the form (409) with what changed meanwhile, the hidden version moved on
# so that saving again is a deliberate overwrite.

VERSION_FIELD = "expected_version"


def service_takes_version(service):
    try:
        return VERSION_FIELD in inspect.signature(service).parameters
    except (TypeError, ValueError):
        return False


def add_version_field(form, obj):
    form.fields[VERSION_FIELD] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    if not form.is_bound:
        form.initial[VERSION_FIELD] = obj.version


def _shown(form_field, value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = dict(getattr(form_field, "choices", None) or [])
    if value in choices and not hasattr(value, "pk"):
        return str(choices[value])
    return str(value)


def _comparable(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str):
        return value.strip()
    return value


def show_conflict(form, exc):
    """Put what changed meanwhile on the form (`form.conflict_rows`: label, yours,
    theirs) and move its hidden version on to the saved one."""
    current = exc.current
    rows = []
    if current is not None and form.is_bound and hasattr(form, "cleaned_data"):
        for name, field in form.fields.items():
            if name == VERSION_FIELD or name not in form.cleaned_data:
                continue
            # Only stored fields: a computed one (a member's decrypted ID number) is never shown.
            try:
                current._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            theirs = getattr(current, name)
            yours = form.cleaned_data[name]
            if _comparable(yours) != _comparable(theirs):
                rows.append((field.label or name, _shown(field, yours), _shown(field, theirs)))
        data = form.data.copy()
        data[form.add_prefix(VERSION_FIELD)] = current.version
        form.data = data
    form.conflict_rows = rows
    return rows
