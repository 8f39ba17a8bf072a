import json

from openapi_spec_validator import validate

from zoufang.core.management.commands.openapi import OPENAPI_FILE, current_schema


def test_it_keeps_the_committed_openapi_document_current(db):
    committed = OPENAPI_FILE.read_text(encoding="utf-8")
    assert committed == current_schema(), "接口已变化：运行 `make openapi` 并提交 docs/openapi.json"


def test_the_committed_document_is_valid_openapi():
    """What API clients and code generators read: valid against the OpenAPI 3.1 specification's own schema."""
    document = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    validate(document)
