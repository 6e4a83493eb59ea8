"""Filters every app's filter sets share.

`IdFilter` is the one filter for a database id in a query (`?org=`, `?parent=`, `?list=`):
a whole number from 1 within 64 bits. Anything else (`1.5`, `1e40`, a number past 64
bits, text) is a form error, so a page shows it on the filter and the API answers 400
naming the parameter, instead of a decimal that quietly matches nothing or a number the
database driver cannot bind. The schema says the same (an integer with its bounds, `core.api.schema`).
"""

import django_filters
from django import forms

MAX_ID = 2**63 - 1
ID_LIMITS = {"min_value": 1, "max_value": MAX_ID}


def valid_id(value):
    """An id a database can hold; anything else matches nothing (never a database error)."""
    try:
        return value is not None and value == int(value) and 1 <= value <= MAX_ID
    except (TypeError, ValueError, OverflowError):
        return False


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number from 1 within 64 bits, else 400 (see the module)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        for key, value in ID_LIMITS.items():
            kwargs.setdefault(key, value)
        super().__init__(*args, **kwargs)
