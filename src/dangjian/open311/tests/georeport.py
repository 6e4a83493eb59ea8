"""Checking our answers against GeoReport v2's published schemas (schemas/, copied
unchanged from open311/schema-validation; see schemas/README.md).

JSON is validated as it is. XML has no published schema, so it is read back (with
defusedxml) into the same shape as the JSON, each value typed as the JSON schema says
(a number, a boolean, null for an empty element), and validated against the same schema:
an XML answer passes only if it carries the same fields, in the spec's element names, with
values of the right types."""

import datetime
import json
from pathlib import Path

from defusedxml import ElementTree
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas"
SHARED = Path(__file__).resolve().parents[5] / "shared" / "open311-georeport-v2"
LIST_CONTAINERS = {"attributes", "values", "endpoints", "formats"}


def load(name):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _registry():
    resources = [(name, Resource.from_contents(load(name), default_specification=DRAFT7))
                 for name in ("request.json", "service.json", "service-definition.json")]
    return Registry().with_resources(resources)


def _swagger(definition, many):
    swagger = load("swagger.json")
    ref = {"$ref": f"#/definitions/{definition}"}
    schema = {"type": "array", "items": ref} if many else dict(ref)
    schema["definitions"] = swagger["definitions"]
    return schema


# Shapes the published files do not cover: discovery (from the spec's page) and errors.
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
            "properties": {"specification": {"type": "string"}, "url": {"type": "string"},
                           "changeset": {"type": "string"}, "type": {"enum": ["production", "test"]},
                           "formats": {"type": "array", "items": {"type": "string"}}}}},
    },
}
ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}}}

KINDS = {
    # kind: (schema, XML root, XML item element or None)
    "services": (load("services.json"), "services", "service"),
    "service_definition": (load("service-definition.json"), "service_definition", None),
    "requests": (load("requests.json"), "service_requests", "request"),
    "post": (_swagger("RequestResponse", many=True), "service_requests", "request"),
    "token": (_swagger("TokenResponse", many=True), "service_requests", "request"),
    "discovery": (DISCOVERY, "discovery", None),
    "errors": (ERRORS, "errors", "error"),
}


def _resolve(schema, root):
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref.startswith("#/"):
            target = root
            for part in ref[2:].split("/"):
                target = target[part]
            schema = target
        else:
            schema = load(ref)
            root = schema
    return schema, root


def _types(schema, root):
    schema, root = _resolve(schema, root)
    if "anyOf" in schema:
        found = []
        for option in schema["anyOf"]:
            found += _types(option, root)
        return found
    kind = schema.get("type")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    return [(kind, schema, root)]


def _coerce(value, schema, root):
    """An XML value (text, None, dict or list) typed as `schema` says."""
    options = _types(schema, root)
    if value is None:
        if any(kind == "null" for kind, _, _ in options):
            return None
        if any(kind == "array" for kind, _, _ in options):
            return []
        return None  # let the validator say that a value is missing
    for kind, sub, sub_root in options:
        if kind == "array" and isinstance(value, list):
            return [_coerce(item, sub.get("items", {}), sub_root) for item in value]
        if kind == "object" and isinstance(value, dict):
            props = sub.get("properties", {})
            return {key: _coerce(item, props.get(key, {}), sub_root) for key, item in value.items()}
        if isinstance(value, str):
            try:
                if kind == "number":
                    return float(value)
                if kind == "integer":
                    return int(value)
                if kind == "boolean" and value in ("true", "false"):
                    return value == "true"
            except ValueError:
                continue
            if kind == "string":
                return value
    return value


def _element(element):
    children = list(element)
    if element.tag in LIST_CONTAINERS:
        return [_element(child) for child in children]
    if children:
        assert len({c.tag for c in children}) == len(children), f"repeated element in <{element.tag}>"
        return {child.tag: _element(child) for child in children}
    return element.text if element.text not in (None, "") else None


def read_xml(body, kind):
    """An XML answer as JSON-shaped data, checking its root and item element names."""
    schema, root_tag, item_tag = KINDS[kind]
    root = ElementTree.fromstring(body)
    assert root.tag == root_tag, f"root <{root.tag}>, expected <{root_tag}>"
    if item_tag is None:
        data = {child.tag: _element(child) for child in root}
    else:
        assert all(child.tag == item_tag for child in root), [child.tag for child in root]
        data = [_element(child) for child in root]
    return _coerce(data, schema, schema)


def _check_datetimes(data, schema, root):
    """The spec's times are W3C datetimes with an offset (jsonschema checks `format` only
    with an optional package, so check here)."""
    schema, root = _resolve(schema, root)
    if isinstance(data, list):
        for item in data:
            _check_datetimes(item, schema.get("items", {}), root)
        return
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        prop, _ = _resolve(schema.get("properties", {}).get(key, {}), root)
        formats = [prop.get("format")] + [o.get("format") for o in prop.get("anyOf", [])]
        if "date-time" in formats and value is not None:
            moment = datetime.datetime.fromisoformat(value)
            assert moment.tzinfo is not None, f"{key}={value} has no offset"


def validate(data, kind):
    schema = KINDS[kind][0]
    Draft7Validator(schema, registry=_registry()).validate(data)
    _check_datetimes(data, schema, schema)
    return data


def check(response, kind, fmt, status=200):
    """The response's status and content type, its body valid for `kind`; returns the data."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    expected = "application/json" if fmt == "json" else "text/xml"
    assert response["Content-Type"].startswith(expected), response["Content-Type"]
    body = response.content
    data = json.loads(body) if fmt == "json" else read_xml(body, kind)
    return validate(data, kind)
