from zoufang.core.management.commands.openapi import OPENAPI_FILE, current_schema


def test_it_keeps_the_committed_openapi_document_current(db):
    committed = OPENAPI_FILE.read_text(encoding="utf-8")
    assert committed == current_schema(), "接口已变化：运行 `make openapi` 并提交 docs/openapi.json"
