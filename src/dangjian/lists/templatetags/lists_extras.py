from django import template

from ..models import List, Measure, Programme, Project

register = template.Library()

_MODELS = {"list": List, "programme": Programme, "project": Project, "measure": Measure}


@register.filter
def field_label(revision, name):
    """The label of a changed field, in the reader's language."""
    model = _MODELS.get(revision.object_type)
    try:
        return model._meta.get_field(name).verbose_name if model else name
    except Exception:
        return name
