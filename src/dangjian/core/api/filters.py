"""The API's filter backend: django-filter, with yes/no parameters checked.

django-filter reads any value it does not know in a yes/no filter (`?closed=maybe`) as
"not given" and answers the whole list; the API refuses it instead (400), as the schema
says the parameter is `true` or `false`."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"", "true", "false", "True", "False"}


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {name: [_("请填写 true 或 false。")] for name, flt in filterset.filters.items()
                      if isinstance(flt, django_filters.BooleanFilter)
                      and any(value not in BOOLEAN_VALUES for value in request.query_params.getlist(name))}
            if errors:
                raise ValidationError(errors)
        return filterset
