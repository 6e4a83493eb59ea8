"""Serializer pieces every app's API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def VersionField(read_only=False):
    """A record's `version`: given in answers (and as the ETag); on a change, the version
    the caller read (optional; a stale one answers 409 and changes nothing)."""
    if read_only:
        return serializers.IntegerField(read_only=True, help_text=_("版本：每次保存加一"))
    return serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text=_("版本：每次保存加一。修改时可带上读取时的版本；记录已被他人修改时返回 409，什么也不改。"))


# The same representation as DRF's, with less work a row: a list of 500 members spends
# most of its Python in DRF's per-field attribute machinery, not in formatting. A plan is
# made once per serializer: a foreign key is read from its `_id` column (what a
# primary-key field shows, without building a related object), a plain attribute is read
# directly and formatted by its field's own `to_representation`; any other field (nested
# sources, methods, custom attribute lookups) goes through DRF as before. A test holds the
# output equal to DRF's for every serializer that uses it. (A comment, not a docstring:
# the schema would show a docstring as each serializer's description.)
class FastRowsMixin:

    def _row_plan(self):
        plan = getattr(self, "_fast_row_plan", None)
        if plan is not None:
            return plan
        model = getattr(getattr(self, "Meta", None), "model", None)
        concrete = {f.name: f for f in model._meta.concrete_fields} if model is not None else {}
        plan = []
        for field in self._readable_fields:
            source = field.source
            model_field = concrete.get(source)
            if isinstance(field, serializers.PrimaryKeyRelatedField) and type(field).get_attribute is \
                    serializers.PrimaryKeyRelatedField.get_attribute and model_field is not None and \
                    model_field.is_relation and field.pk_field is None:
                plan.append((field.field_name, "fk", model_field.attname, field))
            elif not isinstance(field, (serializers.RelatedField, serializers.ManyRelatedField,
                                        serializers.SerializerMethodField, serializers.BaseSerializer)) \
                    and source != "*" and "." not in source and type(field).get_attribute is \
                    serializers.Field.get_attribute:
                plan.append((field.field_name, "attr", source, field))
            else:
                plan.append((field.field_name, "drf", None, field))
        self._fast_row_plan = plan
        return plan

    def to_representation(self, instance):
        from rest_framework.fields import SkipField
        from rest_framework.relations import PKOnlyObject

        row = {}
        for name, kind, attr, field in self._row_plan():
            if kind == "fk":
                row[name] = getattr(instance, attr)
                continue
            if kind == "attr":
                value = getattr(instance, attr)
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject):
                    row[name] = None if value.pk is None else field.to_representation(value)
                    continue
            row[name] = None if value is None else field.to_representation(value)
        return row
