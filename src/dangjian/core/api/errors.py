"""One error shape for the whole API.

- 400: `{"field": ["message", ...]}`, errors not tied to a field under `non_field_errors`;
  errors of nested input (a list of files, a nested object) are flattened into their
  top-level field, each message prefixed with where it was (`[2] ...`).
- every other status: `{"detail": "message"}`; a conflict (409/412) adds the record's
  current `version`.
- 409 also when a service refuses because of the object's state (its error names no
  field the request could set: deleting a published list, accepting an open measure).

Domain errors from services (Django's ValidationError, PermissionDenied, Http404,
core's ConflictError) are mapped here, so no view translates them by hand."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import ConflictError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该记录已被他人修改，请核对后重新提交。")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("If-Match 与该记录的当前版本不符：记录已被他人修改。")
    default_code = "precondition_failed"


def validation_detail(exc):
    if hasattr(exc, "message_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _messages(value, where=""):
    """Every message in a (possibly nested) DRF error structure, with its position."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _messages(inner, f"{where}[{key}]")
    elif isinstance(value, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in value):
            for item in value:
                yield f"{where} {item}" if where else str(item)
        else:
            for index, inner in enumerate(value):
                yield from _messages(inner, f"{where}[{index}]")
    else:
        yield f"{where} {value}" if where else str(value)


def flatten(detail):
    """A 400 body in the documented shape: field -> list of strings."""
    if not isinstance(detail, dict):
        return {"non_field_errors": list(_messages(detail))}
    return {str(field): list(_messages(value)) if not isinstance(value, str) else [value]
            for field, value in detail.items()}


def exception_handler(exc, context):
    """Domain errors become API errors; every body has the documented shape."""
    if isinstance(exc, DjangoValidationError):
        detail = validation_detail(exc)
        # A service's refusal that names no field of the request is about the object's
        # state (published, accepted, closed, has progress): nothing the caller sent
        # could fix it, so 409 rather than 400.
        input_fields = getattr(context.get("view"), "input_fields", set())
        if not set(detail) & set(input_fields):
            return drf_exception_handler(Conflict(" ".join(m for ms in detail.values() for m in ms)), context)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ConflictError):
        request = context.get("request")
        precondition = getattr(request, "version_from_if_match", False)
        current = getattr(exc.current, "version", None)
        exc = PreconditionFailed() if precondition else Conflict(exc.message)
        response = drf_exception_handler(exc, context)
        if current is not None:
            response.data["version"] = current
            response["ETag"] = f'"{current}"'
        return response
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = flatten(response.data)
    return response


def not_found(request, *args, **kwargs):
    """Any path under /api/ that no route serves: a JSON 404, never the HTML page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND,
                        json_dumps_params={"ensure_ascii": False})
