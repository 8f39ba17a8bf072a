"""`zoufang campaign validate FILE` and `zoufang campaign load FILE`."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.campaigns.config import read_campaign_file, validate_campaign_file
from zoufang.campaigns.schema import CAMPAIGN_SCHEMA
from zoufang.campaigns.services import CampaignConfigError, LoadReport, Tally, load_campaign_file_with_report
from zoufang.core.commands import ZoufangCommand


class Command(ZoufangCommand):
    help = _("检查、载入走访活动配置文件（YAML，格式见 docs/campaign-format.md），或输出其 JSON Schema")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{validate,load,schema}")
        validate = actions.add_parser("validate", help=_("检查配置文件，有错误时逐条列出并以状态 1 退出"))
        validate.add_argument("file", metavar=_("文件"), help=_("配置文件路径"))
        load = actions.add_parser("load", help=_("检查并载入配置文件：按代号新建或更新走访活动"))
        load.add_argument("file", metavar=_("文件"), help=_("配置文件路径"))
        actions.add_parser("schema", help=_("输出配置文件的 JSON Schema，供编辑器提示和检查"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            self.validate(options["file"])
        elif options["action"] == "load":
            self.load(options["file"])
        else:
            self.stdout.write(json.dumps(CAMPAIGN_SCHEMA, ensure_ascii=False, indent=2))

    def fail(self, errors: list[str], path: str) -> CommandError:
        for error in errors:
            self.stderr.write(error)
        return CommandError(_("配置文件无效：%(path)s（共 %(count)s 处错误）") % {"path": path, "count": len(errors)})

    def validate(self, path: str) -> None:
        errors = validate_campaign_file(path)
        if errors:
            raise self.fail(errors, path)
        data = read_campaign_file(path).data
        self.stdout.write(_("配置文件有效：%(path)s（%(slug)s %(name)s）") % {
            "path": path, "slug": data["slug"], "name": data["name"]})

    def load(self, path: str) -> None:
        try:
            report = load_campaign_file_with_report(path)
        except CampaignConfigError as exc:
            raise self.fail(exc.errors, path) from None
        self.stdout.write(describe(report))


def describe(report: LoadReport) -> str:
    campaign = report.campaign
    if report.created:
        head = _("已新建走访活动 %(slug)s：%(name)s") % {"name": campaign.name, "slug": campaign.slug}
    elif report.changed:
        head = _("已更新走访活动 %(slug)s：%(name)s") % {"name": campaign.name, "slug": campaign.slug}
    else:
        head = _("走访活动 %(slug)s 与配置文件一致，未作修改：%(name)s") % {
            "name": campaign.name, "slug": campaign.slug}
    lines = [head]
    if report.campaign_changes:
        lines.append(_("  修改字段：%(fields)s") % {"fields": "、".join(report.campaign_changes)})
    if report.regions_created:
        lines.append(_("  新增区划：%(names)s") % {"names": " → ".join(report.regions_created)})
    lines.append(_("  阶段：%(tally)s") % {"tally": _tally(report.phases, _("删除"))})
    lines.append(_("  问题类别：%(tally)s") % {"tally": _tally(report.categories, _("停用"))})
    for version in report.forms_published:
        lines.append(_("  调查表：发布随平台提供的%(title)s（%(key)s）第 %(number)s 版") % {
            "title": version.form.title, "key": version.form.key, "number": version.number})
    for entry in report.forms_missing:
        lines.append(_("  注意：调查表 %(key)s（%(name)s）尚未发布，走访时不会填写：请用 zoufang forms load 文件 发布"
                       "（YAML 或 XLSForm xlsx）") % {"key": entry["key"], "name": entry.get("name") or entry["key"]})
    active = campaign.case_categories.filter(disabled_on__isnull=True)
    lines.append(_("  现有阶段 %(phases)s 个，问题类别 %(categories)s 类 %(items)s 项") % {
        "phases": campaign.phases.count(),
        "categories": active.filter(parent__isnull=True).count(),
        "items": active.filter(parent__isnull=False).count(),
    })
    return "\n".join(lines)


def _tally(tally: Tally, removed: str) -> str:
    return _("新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s，%(removed_word)s %(removed)s") % {
        "created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged,
        "removed_word": removed, "removed": tally.removed}
