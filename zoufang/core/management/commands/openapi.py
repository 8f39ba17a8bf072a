import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from zoufang.core.commands import ZoufangCommand

OPENAPI_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def current_schema() -> str:
    from zoufang.api import api

    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(ZoufangCommand):
    help = "生成接口的 OpenAPI 文档（docs/openapi.json）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(OPENAPI_FILE), help=_("写到此文件（默认 docs/openapi.json）"))

    def handle(self, *args: Any, **options: Any) -> None:
        Path(options["out"]).write_text(current_schema(), encoding="utf-8")
        self.stdout.write(_("已写入 %(out)s") % {"out": options['out']})
