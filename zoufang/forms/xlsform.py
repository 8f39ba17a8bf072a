"""Reading a questionnaire written in XLSForm's columns into the tree the phone renders and the server checks.

Sheets (xlsx) or sections (YAML): `survey` (type, name, label, hint, required, relevant, constraint,
constraint_message), `choices` (list_name, name, label), `settings` (form_id, form_title, version).
Supported types: text, integer, decimal, date, select_one L, select_multiple L, note, begin_group /
end_group, begin_repeat / end_repeat (one level). Every error is one Chinese line naming the row.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from zoufang.forms import expressions

SIMPLE_TYPES = {"text", "integer", "decimal", "date", "note"}
SELECT_TYPES = {"select_one", "select_multiple"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TRUE_WORDS = {"yes", "true", "1", "true()", "是"}


@dataclass
class ParsedForm:
    form_id: str = ""
    title: str = ""
    version: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    choices: dict[str, list[list[str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rows: dict[str, Any] = field(default_factory=dict)  # the sheets as read, to write the xlsx back out

    def spec(self) -> dict[str, Any]:
        return {"title": self.title, "items": self.items, "choices": self.choices}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _label(row: dict[str, Any], column: str = "label") -> str:
    for key, value in row.items():
        if key == column or key.startswith(f"{column}::"):
            return _text(value)
    return ""


def _normalise_type(raw: str) -> tuple[str, str]:
    """('select_one', 'list') from 'select_one list'; 'begin group' → 'begin_group'."""
    words = raw.replace("begin ", "begin_").replace("end ", "end_").split()
    if not words:
        return "", ""
    return words[0], (words[1] if len(words) > 1 else "")


def parse_rows(survey: list[dict[str, Any]], choices: list[dict[str, Any]], settings: dict[str, Any]) -> ParsedForm:
    form = ParsedForm(
        form_id=_text(settings.get("form_id")), title=_text(settings.get("form_title")),
        version=_text(settings.get("version")),
    )
    form.rows = {
        "survey": [{k: _text(v) for k, v in row.items() if _text(v)} for row in survey],
        "choices": [{k: _text(v) for k, v in row.items() if _text(v)} for row in choices],
        "settings": {k: _text(v) for k, v in settings.items() if _text(v)},
    }
    if not form.form_id:
        form.errors.append(_("settings：缺少 form_id（调查表代号）"))
    for number, row in enumerate(choices, start=2):
        list_name, name = _text(row.get("list_name")), _text(row.get("name"))
        if not list_name and not name:
            continue
        if not list_name or not name:
            form.errors.append(_("choices 第 %(n)s 行：list_name 和 name 都必须填写") % {"n": number})
            continue
        options = form.choices.setdefault(list_name, [])
        if any(option[0] == name for option in options):
            form.errors.append(_("choices 第 %(n)s 行：选项列表 %(list)s 中选项 %(name)s 重复") % {
                "n": number, "list": list_name, "name": name})
        options.append([name, _label(row) or name])
    _parse_survey(form, survey)
    return form


def _parse_survey(form: ParsedForm, survey: list[dict[str, Any]]) -> None:
    stack: list[dict[str, Any]] = [{"kind": "root", "children": form.items, "name": ""}]
    names: set[str] = set()
    for number, row in enumerate(survey, start=2):
        kind, list_name = _normalise_type(_text(row.get("type")))
        name = _text(row.get("name"))
        where = _("survey 第 %(n)s 行") % {"n": number}
        if not kind:
            continue
        if kind in ("end_group", "end_repeat"):
            expected = "group" if kind == "end_group" else "repeat"
            if stack[-1]["kind"] != expected:
                form.errors.append(where + _("：%(kind)s 没有对应的 begin_%(expected)s") % {"kind": kind, "expected": expected})
            else:
                stack.pop()
            continue
        if not NAME.match(name):
            form.errors.append(where + _("：name “%(name)s”应以字母开头，只含字母、数字和下划线") % {"name": name})
            continue
        if name in names:
            form.errors.append(where + _("：name “%(name)s”重复") % {"name": name})
        names.add(name)
        node: dict[str, Any] = {"name": name, "label": _label(row) or name, "hint": _label(row, "hint")}
        try:
            node["relevant"] = expressions.parse(_text(row.get("relevant")))
            node["constraint"] = expressions.parse(_text(row.get("constraint")))
        except expressions.ExpressionError as error:
            form.errors.append(where + _("：表达式有误：%(error)s") % {"error": error})
            continue
        node["constraint_message"] = _label(row, "constraint_message")
        if kind in ("begin_group", "begin_repeat"):
            node.update(kind=kind[6:], children=[])
            if kind == "begin_repeat" and any(level["kind"] == "repeat" for level in stack):
                form.errors.append(where + _("：重复组不能嵌套"))
            stack[-1]["children"].append(node)
            stack.append(node)
            continue
        if kind in SELECT_TYPES:
            if list_name not in form.choices:
                form.errors.append(where + _("：选项列表 “%(list)s”未在 choices 中定义") % {"list": list_name})
            node["list"] = list_name
        elif kind not in SIMPLE_TYPES:
            form.errors.append(where + _("：不支持的题型 “%(kind)s”（支持：text、integer、decimal、date、"
                                         "select_one、select_multiple、note、begin_group、begin_repeat）") % {"kind": kind})
            continue
        node.update(kind="question", type=kind, required=_text(row.get("required")).lower() in TRUE_WORDS)
        stack[-1]["children"].append(node)
    for level in stack[1:]:
        form.errors.append(_("survey：%(kind)s “%(name)s”缺少 end_%(kind)s") % {"kind": level["kind"], "name": level["name"]})
    _check_references(form, names)


def _check_references(form: ParsedForm, names: set[str]) -> None:
    for node in walk(form.items):
        for column in ("relevant", "constraint"):
            unknown = expressions.references(node.get(column)) - names
            if unknown:
                form.errors.append(_("题目 %(name)s 的 %(column)s：引用了不存在的题目 %(unknown)s") % {
                    "name": node["name"], "column": column, "unknown": "、".join(sorted(unknown))})


def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for node in items:
        found.append(node)
        found.extend(walk(node.get("children", [])))
    return found


def outside_repeats(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions and groups answered once per form (not those inside a repeat group)."""
    found = []
    for node in items:
        if node["kind"] == "repeat":
            continue
        found.append(node)
        found.extend(outside_repeats(node.get("children", [])))
    return found


def read_yaml(path: Path) -> ParsedForm:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return parse_rows(data.get("survey") or [], data.get("choices") or [], data.get("settings") or {})


def _sheet_rows(workbook: Any, name: str) -> list[dict[str, Any]]:
    if name not in workbook.sheet_names:
        return []
    rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    if not rows:
        return []
    header = [_text(cell).lower() for cell in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def read_xlsx(path: Path) -> ParsedForm:
    """The XLSForm workbook at `path`, bounded before calamine lays it out (core.workbook_scan: a few kilobytes
    whose cells span the whole grid would make it ask for billions of cells and abort the process)."""
    from zoufang.core.tabular import open_workbook

    workbook, _scans = open_workbook(path.read_bytes())  # WorkbookTooLarge before anything is laid out
    settings_rows = _sheet_rows(workbook, "settings")
    return parse_rows(_sheet_rows(workbook, "survey"), _sheet_rows(workbook, "choices"),
                      settings_rows[0] if settings_rows else {})


SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message"]


def _guide(title: str) -> list[list[str]]:
    """The 说明 sheet's rows: what the file is and what each of the standard's sheets and columns holds, in a clerk's
    words. Read back, a sheet of another name is no part of the form (read_xlsx reads the three by name)."""
    return [
        [_("“%(title)s”的调查表定义文件") % {"title": title}],
        [_("本文件采用调查表通用的 XLSForm 标准格式，供维护调查表的同志修改题目和选项，改好后在“走访记录”页上传，"
           "发布为新版本；已填的答案不受影响。")],
        [_("工作表名称和各表第一行的列名是标准规定的英文，请勿改动；题目、提示、选项的文字可以修改。")],
        [],
        [_("工作表"), _("内容"), _("各列")],
        ["survey", _("题目，每行一题"), _("type 题型；name 题目编号（已填答案按它对应，请勿修改）；label 题目；hint 填写提示；"
                                   "required 是否必填；relevant 显示条件；constraint 填写限制；constraint_message 不符合限制时的提示")],
        ["choices", _("选项"), _("list_name 选项列表（对应题型中的列表名）；name 选项编号（请勿修改）；label 选项文字")],
        ["settings", _("设置"), _("form_id 调查表编号（请勿修改）；form_title 调查表名称；version 版本说明")],
    ]


def write_xlsx(rows: dict[str, Any]) -> bytes:
    """The XLSForm workbook (survey, choices, settings) the office edits and loads again, and a last sheet, 说明,
    that says what it is in Chinese: the standard's own sheet and column names stay as the standard names them."""
    from io import BytesIO

    from zoufang.core.sheetwriter import ExportWorkbook

    workbook = ExportWorkbook()
    sheets = [("survey", SURVEY_COLUMNS, rows.get("survey") or []),
              ("choices", ["list_name", "name", "label"], rows.get("choices") or []),
              ("settings", ["form_id", "form_title", "version"], [rows.get("settings") or {}])]
    for index, (name, columns, data) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet(name)
        sheet.title = name
        extra = [k for row in data for k in row if k not in columns]
        header = columns + list(dict.fromkeys(extra))
        sheet.append(header)
        for row in data:
            sheet.append([row.get(column, "") for column in header])
    guide = workbook.create_sheet(_("说明"))
    guide.set_widths([12, 18, 90])
    for line in _guide(str((rows.get("settings") or {}).get("form_title") or "")):
        guide.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_file(path: Path) -> ParsedForm:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    return read_yaml(path)
