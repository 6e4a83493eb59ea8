"""GeoReport v2's two formats: JSON, and XML built with ElementTree (every value goes in
as element text, which ElementTree escapes; characters XML 1.0 cannot carry are dropped),
so nothing a resident typed can change the document's structure.

The documents are plain data: dicts and lists of dicts. In XML, a list inside an item is
an element holding one child per entry, named by `LIST_ITEMS` (`attributes` →
`<attribute>`), as the spec's examples show; None is an empty element."""

import datetime
import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c_datetime(value):
    """A time as the spec writes it (W3C / ISO 8601 with its offset), in local time."""
    if value is None:
        return None
    return value.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        value = w3c_datetime(value)
    return _NOT_XML.sub("", str(value))


def _fill(element, data):
    for key, value in data.items():
        child = ElementTree.SubElement(element, key)
        if isinstance(value, (list, tuple)):
            for entry in value:
                grandchild = ElementTree.SubElement(child, LIST_ITEMS[key])
                if isinstance(entry, dict):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = _text(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root, item, data):
    """`data` (a list of dicts, or one dict) as `<root><item>…</item>…</root>`; with `item`
    None, the dict's fields go straight under the root (a service definition, discovery)."""
    element = ElementTree.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for entry in data:
            _fill(ElementTree.SubElement(element, item), entry)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return w3c_datetime(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data):
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode()


def respond(fmt, data, *, root, item, status=200):
    """One response in the asked format; the JSON is `data` itself (a list, or a dict)."""
    body = to_json(data) if fmt == "json" else to_xml(root, item, data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def error(fmt, status, *descriptions):
    """The spec's error document: a list of {code, description}; `code` is the HTTP status."""
    errors = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt, errors, root="errors", item="error", status=status)
