"""Answers to xlsx: one column per question, one sheet per repeat group (rows keyed by the visit)."""

import math
from collections.abc import Iterable
from io import BytesIO
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.masking import Masker
from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import ExportWorkbook, StreamSheet, text_width
from zoufang.forms import xlsform
from zoufang.forms.models import Form, FormAnswer, FormVersion

VISIT_COLUMNS = ["走访编号", "走访时间", "走访对象", "走访人", "版本"]
VISIT_WIDTHS = [20, 17, 12, 10, 6]  # a visit's 36-character number over two lines, its minute on one
REPEAT_WIDTHS = [20, 6]  # 走访编号, 行号
QUESTION_WIDEST = 30  # a question's column holds its label in at most three lines, its answers wrap within it
CHUNK = 2000


def _question_width(label: str) -> int:
    return max(8, min(QUESTION_WIDEST, math.ceil(text_width(label) / 3 + 1)))


def _printed_table(sheet: StreamSheet, header: list[str], widths: list[int], heading: str) -> None:
    """A sheet of answers as a printed table: the one header row boxed and repeated on every page, the form and
    the day named at the top of each page (the data starts on row 2 for the programs that read the file)."""
    sheet.set_widths(widths + [_question_width(label) for label in header[len(widths):]])
    sheet.freeze_panes = "A2"
    sheet.oddHeader.center.text = heading.replace("&", "&&")
    sheet.table_row(header, header=True)


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
    today = clock.today()
    heading = _("%(form)s答案（截至%(day)s）") % {"form": form.title, "day": clock.day(today)}
    main = workbook.create_sheet(_sheet_title(form.title))
    _printed_table(main, VISIT_COLUMNS + [q["label"] for q in questions], VISIT_WIDTHS, heading)
    repeat_sheets = {}
    for name, repeat in repeats.items():
        sheet = workbook.create_sheet(_sheet_title(f"{repeat['label']}")[:28] or name)
        repeat_questions = [q for q in xlsform.walk(repeat["children"]) if q["kind"] == "question"]
        _printed_table(sheet, ["走访编号", "行号"] + [q["label"] for q in repeat_questions], REPEAT_WIDTHS,
                       f"{heading} {repeat['label']}")
        repeat_sheets[name] = (sheet, repeat_questions)
    done = 0
    for done, answer in enumerate(rows, start=1):
        visit = answer.visit
        visit_id = str(visit.public_id)
        data = masker.data(answer.data, visit)
        main.table_row([visit_id, clock.minute(visit.visited_at), visit.target.name, visit.cadre.name,
                        answer.form_version.number] + [shown_answer(q, data.get(q["name"]), choices) for q in questions])
        for name, (sheet, repeat_questions) in repeat_sheets.items():
            for index, row in enumerate(data.get(name) or [], start=1):
                sheet.table_row([visit_id, index]
                                + [shown_answer(q, row.get(q["name"]), choices) for q in repeat_questions])
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
