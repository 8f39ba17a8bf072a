"""Answers to xlsx: one column per question, one sheet per repeat group (rows keyed by the visit)."""

from io import BytesIO
from typing import Any

from zoufang import clock
from zoufang.accounts.masking import Masker
from zoufang.core.tabular import ExportWorkbook
from zoufang.forms import xlsform
from zoufang.forms.models import Form, FormAnswer

VISIT_COLUMNS = ["走访编号", "走访时间", "走访对象", "走访人", "版本"]


def _columns(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(questions outside repeats, repeat groups) in form order."""
    questions, repeats = [], []
    for node in items:
        if node["kind"] == "question" and node["type"] != "note":
            questions.append(node)
        elif node["kind"] == "group":
            inner_questions, inner_repeats = _columns(node["children"])
            questions += inner_questions
            repeats += inner_repeats
        elif node["kind"] == "repeat":
            repeats.append(node)
    return questions, repeats


def _shown(question: dict[str, Any], value: Any, choices: dict[str, list[list[str]]]) -> Any:
    if value is None:
        return None
    if question["type"] in ("select_one", "select_multiple"):
        options = choices.get(question["list"], [])
        labels = dict((name, label) for name, label in options)
        order = {name: index for index, (name, _label) in enumerate(options)}
        values = sorted((value if isinstance(value, list) else [value]), key=lambda v: order.get(str(v), len(order)))
        return "、".join(labels.get(str(v), str(v)) for v in values)
    return value


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31]


def answers_workbook(form: Form, answers: list[FormAnswer], user: Any = None) -> bytes:
    """Every answer as `user` may read it: free text masked by role (accounts.masking); no user: masked."""
    masker = Masker(user)
    current = form.current_version()
    versions = sorted({a.form_version for a in answers} | ({current} if current else set()), key=lambda v: -v.number)
    questions: list[dict[str, Any]] = []
    repeats: dict[str, dict[str, Any]] = {}
    choices: dict[str, list[list[str]]] = {}
    for version in versions:  # newest wording first; older versions add what they alone asked
        version_questions, version_repeats = _columns(version.spec["items"])
        questions += [q for q in version_questions if q["name"] not in {x["name"] for x in questions}]
        for repeat in version_repeats:
            repeats.setdefault(repeat["name"], repeat)
        for key, options in version.spec["choices"].items():
            choices.setdefault(key, options)
    workbook = ExportWorkbook()
    main = workbook.active
    main.title = _sheet_title(form.title)
    main.append(VISIT_COLUMNS + [q["label"] for q in questions])
    repeat_sheets = {}
    for name, repeat in repeats.items():
        sheet = workbook.create_sheet(_sheet_title(f"{repeat['label']}")[:28] or name)
        repeat_questions = [q for q in xlsform.walk(repeat["children"]) if q["kind"] == "question"]
        sheet.append(["走访编号", "行号"] + [q["label"] for q in repeat_questions])
        repeat_sheets[name] = (sheet, repeat_questions)
    for answer in answers:
        visit = answer.visit
        visit_id = str(visit.public_id)
        data = masker.data(answer.data, visit)
        main.append([visit_id, clock.minute(visit.visited_at), visit.target.name, visit.cadre.name,
                     answer.form_version.number] + [_shown(q, data.get(q["name"]), choices) for q in questions])
        for name, (sheet, repeat_questions) in repeat_sheets.items():
            for index, row in enumerate(data.get(name) or [], start=1):
                sheet.append([visit_id, index] + [_shown(q, row.get(q["name"]), choices) for q in repeat_questions])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
