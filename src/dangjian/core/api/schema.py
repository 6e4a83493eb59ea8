"""OpenAPI generation for the API: every operation documents the errors it can answer
(400, 401, 403, 404; 409 and 412 on writes of versioned records) in the shapes
`dangjian.core.api.errors.exception_handler` produces, the bounds the server enforces on
query parameters, and the ETag / If-Match headers, so a client or a fuzzer
(schemathesis, all checks) can rely on it. It is the project's DEFAULT_SCHEMA_CLASS, so
every app's API gets the same documentation."""

import re

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _
from django_filters import NumberFilter
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiParameter
from rest_framework.serializers import Serializer

from dangjian.core.filters import IdFilter

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "version": {"type": "integer", "description": _("记录的当前版本（仅 409、412 给出）")},
    },
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": _("字段名 → 错误信息列表（使用调用者的语言）；不属于某个字段的错误在 non_field_errors 中，"
                     "请求体无法解析时在 detail 中。"),
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
}
ERROR_DESCRIPTIONS = {
    "400": _("输入有误：按字段给出错误信息。"),
    "401": _("未认证：请发送 `Authorization: Token <key>` 请求头或会话 Cookie。"),
    "403": _("已认证，但您的角色不能在此执行该操作。"),
    "404": _("您的管辖范围内没有该对象（或没有该页）。"),
    "409": _("冲突：请求体中的 version 已过期（记录已被他人修改），或对象的状态不允许此操作；什么也没改。"),
    "412": _("If-Match 与记录的当前版本（ETag）不符：记录已被他人修改，什么也没改。"),
}



def _has_version(serializer):
    serializer = force_instance(serializer)
    return isinstance(serializer, Serializer) and "version" in serializer.fields


class ScopedAutoSchema(AutoSchema):
    def _tokenize_path(self):
        # Tags and operation ids name the resource ("orgs"), not the API version ("v1").
        tokens = super()._tokenize_path()
        if tokens and tokens[0] == "api":
            tokens = tokens[1:]
        if tokens and re.fullmatch(r"v\d+", tokens[0]):
            tokens = tokens[1:]
        return tokens

    def _component(self, name, schema):
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component.ref

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # Django derives integer bounds from the database in use (SQLite: 64 bits for
        # every integer column). Describe the portable range of the model field instead, so
        # the schema is the same on SQLite and PostgreSQL.
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and schema.get("type") == "integer":
            model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
            try:
                internal_type = model._meta.get_field(field.source).get_internal_type()
            except Exception:  # not a model field (declared field, annotation, nested source)
                internal_type = None
            low, high = BaseDatabaseOperations.integer_field_ranges.get(internal_type, (None, None))
            if low is not None and schema.get("minimum", low) < low:
                schema["minimum"] = low
            if high is not None and schema.get("maximum", high) > high:
                schema["maximum"] = high
            if schema.get("format") == "int64" and -2**31 <= schema.get("minimum", 0) and \
                    schema.get("maximum", 0) < 2**31:
                del schema["format"]
        return schema

    def _get_filter_parameters(self):
        # django-filter's NumberFilter refuses values above its maximum (1e50): say so,
        # so that a schema-valid request is never refused.
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        # Bounds given to a filter (min_value / max_value, e.g. ids from 1) are the
        # server's: the schema states them too.
        for parameter in parameters:
            flt = filters.get(parameter["name"])
            if not isinstance(flt, NumberFilter):
                continue
            validator = flt.get_max_validator()
            if validator is not None:
                parameter["schema"]["maximum"] = validator.limit_value
            for key, bound in (("min_value", "minimum"), ("max_value", "maximum")):
                if flt.extra.get(key) is not None:
                    parameter["schema"][bound] = flt.extra[key]
            if isinstance(flt, IdFilter):  # a whole number, whatever field or method it filters on
                parameter["schema"].update(type="integer", format="int64")
        return parameters

    def _error_codes(self, operation):
        codes = []
        # Writes validate a body, query parameters are validated too, and views with a
        # filter set run it on detail lookups as well.
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if self.method in ("POST", "PUT", "PATCH") or has_query or getattr(self.view, "filterset_class", None):
            codes.append("400")
        codes += ["401", "403"]
        # A detail route answers 404 outside the caller's scope; a list, for a page past the end.
        if "{" in self.path or self._is_list_view() or "404" in getattr(self.view, "error_codes", ()):
            codes.append("404")
        if self._is_versioned_write():
            codes += ["409", "412"]
        elif self.method == "DELETE" or (self.method == "POST" and "{" in self.path):
            codes.append("409")  # the object's state does not allow it (published, accepted, ...)
        return codes

    def _is_versioned_write(self):
        if self.method not in ("PUT", "PATCH"):
            return False
        return _has_version(self.get_request_serializer())

    def _is_versioned_detail(self):
        if "{" not in self.path or self.method not in ("GET", "PUT", "PATCH"):
            return False
        return _has_version(self.get_response_serializers())

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_versioned_write():
            parameters.append(OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=False,
                description=_("可选：读取时得到的 ETag（如 \"3\"）。记录已被他人修改时返回 412，什么也不改。")))
        if self._is_versioned_detail():
            parameters.append(OpenApiParameter(
                "ETag", str, OpenApiParameter.HEADER, response=[200], required=True,
                description=_("记录的当前版本，修改时放入 If-Match。")))
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        # An empty optional query parameter (`?within=`, as a form sends it) means "not
        # given" to every filter and to the pagination.
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required") and \
                    parameter.get("schema", {}).get("type") != "array":
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code in responses:
                continue
            if code == "400":
                schema = self._component("ValidationError", VALIDATION_ERROR_SCHEMA)
            else:
                schema = self._component("Error", ERROR_SCHEMA)
            responses[code] = {
                "content": {"application/json": {"schema": schema}},
                "description": ERROR_DESCRIPTIONS[code],
            }
        return operation
