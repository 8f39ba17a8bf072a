"""How /open311/v2/ answers: GeoReport v2's JSON and XML, its error list, its headers.

One structure, two spellings: a list of rows is a JSON array, or in XML a root element (`services`,
`service_requests`, `errors`, …) holding one element per row (`service`, `request`, `error`); a nested list is an
element holding one child per item (`attributes`/`attribute`, `endpoints`/`endpoint`, `formats`/`format`). None is
JSON null and an empty XML element, booleans are `true`/`false`. Text that XML 1.0 cannot carry (control
characters a resident or a platform typed) is dropped from the XML, so the document always parses.
"""

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from zoufang.core.xmltext import xml_text as core_xml_text

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The element each item of a list takes, by the list's own element name (the spec's examples).
ITEM = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format",
}
def xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return core_xml_text(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM[element.tag]), item)
    elif value is not None:
        element.text = xml_text(value)


def render(fmt: str, root: str, body: Any, status: int = 200) -> HttpResponse:
    """`body` (a list of rows, or one object) as JSON, or as XML under `root`."""
    if fmt == "json":
        text = json.dumps(body, ensure_ascii=False)
        return HttpResponse(text.encode("utf-8"), content_type=JSON_TYPE, status=status)
    element = ET.Element(root)
    _fill(element, body)
    return HttpResponse(XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8"),
                        content_type=XML_TYPE, status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list, its code the HTTP status: 400 bad request, 403 api_key, 404 not found."""
    return render(fmt, "errors", [{"code": status, "description": description}], status)
