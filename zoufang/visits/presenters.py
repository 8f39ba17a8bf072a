"""A visit's records as people read them, for every page and file that shows them (not a view)."""

from typing import Any

from zoufang.forms.export import question_columns, shown_answer


def answer_rows(answer: Any, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """A questionnaire answer as (question text, answer as worded) in the form's order: `data` is the answer's
    data as the reader may read it (masked for a visit's page, in full for the person's own copy)."""
    spec = answer.form_version.spec
    questions, repeats = question_columns(spec["items"])
    rows = [(q["label"], shown_answer(q, data.get(q["name"]), spec["choices"])) for q in questions
            if q["name"] in data]
    for repeat in repeats:
        for index, row in enumerate(data.get(repeat["name"]) or [], start=1):
            inner = [c for c in repeat["children"] if c["kind"] == "question"]
            text = "；".join(f"{q['label']}：{shown_answer(q, row.get(q['name']), spec['choices'])}" for q in inner
                            if q["name"] in row)
            rows.append((f"{repeat['label']} {index}", text))
    return rows
