"""Answers to xlsx: one column per question, one sheet per repeat group (rows keyed by the visit)."""

from collections.abc import Iterable
from io import BytesIO
from typing import IO, Any

from django.db.models import QuerySet

from zoufang import clock
from zoufang.accounts.masking import Masker
from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import ExportWorkbook
from zoufang.forms import xlsform
from zoufang.forms.models import Form, FormAnswer, FormVersion

VISIT_COLUMNS = ["走访编号", "走访时间", "走访对象", "走访人", "版本"]
CHUNK = 2000


def question_columns(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(questions outside repeats, repeat groups) in form order."""
    questions, repeats = [], []
    for node in items:
        if node["kind"] == "question" and node["type"] != "note":
            questions.append(node)
        elif node["kind"] == "group":
            inner_questions, inner_repeats = question_columns(node["children"])
            questions += inner_questions
            repeats += inner_repeats
        elif node["kind"] == "repeat":
            repeats.append(node)
    return questions, repeats


def shown_answer(question: dict[str, Any], value: Any, choices: dict[str, list[list[str]]]) -> Any:
    """An answer as the form words it: a choice's label (several in the form's order, joined by 、), else as given."""
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


def write_answers(out: IO[bytes], form: Form, answers: "QuerySet[FormAnswer] | list[FormAnswer]", user: Any = None,
                  *, progress: Progress | None = None) -> int:
    """Every answer as `user` may read it, streamed to `out`: free text masked by role (accounts.masking); no
    user: masked. A queryset is read through a server-side cursor (its versions by a subquery, not by reading
    it twice); returns how many answers."""
    masker = Masker(user)
    current = form.current_version()
    if isinstance(answers, QuerySet):
        used = set(FormVersion.objects.filter(pk__in=answers.order_by().values("form_version_id")))
        total = answers.count()
        rows: Iterable[FormAnswer] = (answers.select_related("form_version", "visit__target", "visit__cadre")
                                      .iterator(chunk_size=CHUNK))
    else:
        used, total, rows = {a.form_version for a in answers}, len(answers), answers
    versions = sorted(used | ({current} if current else set()), key=lambda v: -v.number)
    questions: list[dict[str, Any]] = []
    repeats: dict[str, dict[str, Any]] = {}
    choices: dict[str, list[list[str]]] = {}
    for version in versions:  # newest wording first; older versions add what they alone asked
        version_questions, version_repeats = question_columns(version.spec["items"])
        questions += [q for q in version_questions if q["name"] not in {x["name"] for x in questions}]
        for repeat in version_repeats:
            repeats.setdefault(repeat["name"], repeat)
        for key, options in version.spec["choices"].items():
            choices.setdefault(key, options)
    workbook = ExportWorkbook(streaming=True)
    main = workbook.create_sheet(_sheet_title(form.title))
    main.append(VISIT_COLUMNS + [q["label"] for q in questions])
    repeat_sheets = {}
    for name, repeat in repeats.items():
        sheet = workbook.create_sheet(_sheet_title(f"{repeat['label']}")[:28] or name)
        repeat_questions = [q for q in xlsform.walk(repeat["children"]) if q["kind"] == "question"]
        sheet.append(["走访编号", "行号"] + [q["label"] for q in repeat_questions])
        repeat_sheets[name] = (sheet, repeat_questions)
    done = 0
    for done, answer in enumerate(rows, start=1):
        visit = answer.visit
        visit_id = str(visit.public_id)
        data = masker.data(answer.data, visit)
        main.append([visit_id, clock.minute(visit.visited_at), visit.target.name, visit.cadre.name,
                     answer.form_version.number] + [shown_answer(q, data.get(q["name"]), choices) for q in questions])
        for name, (sheet, repeat_questions) in repeat_sheets.items():
            for index, row in enumerate(data.get(name) or [], start=1):
                sheet.append([visit_id, index] + [shown_answer(q, row.get(q["name"]), choices) for q in repeat_questions])
        if done % CHUNK == 0:
            report(progress, done, total)
    workbook.save(out)
    report(progress, done, total)
    return done


def answers_workbook(form: Form, answers: list[FormAnswer], user: Any = None) -> bytes:
    """The workbook of `write_answers` in memory, for the endpoint that answers with it."""
    buffer = BytesIO()
    write_answers(buffer, form, answers, user)
    return buffer.getvalue()
