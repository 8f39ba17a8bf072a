"""Text a cadre types that the office later prints: a control character pasted into a case, a name or an address
must not stop the town's briefing or walk lists from being written (lxml refuses such text in a docx), and markup
typed as text stays text in the file."""

import datetime as dt
import io

import pytest
from docx import Document as read_docx

from zoufang.cases.models import Case
from zoufang.documents import services
from zoufang.documents.models import Document
from zoufang.oversight.tests.conftest import at, counted  # noqa: F401 - the fixture, shared
from zoufang.planning.models import Assignment
from zoufang.planning.walklists import write_unit_walk_lists
from zoufang.registry.models import Target

pytestmark = pytest.mark.django_db
TYPED = "路灯\x01坏了\x1b<w:t>]]>&amp;\x7f"


def paragraphs(data: bytes) -> list[str]:
    made = read_docx(io.BytesIO(data))
    cells = [cell.text for table in made.tables for row in table.rows for cell in row.cells]
    return [p.text for p in made.paragraphs] + cells


def test_a_briefing_is_written_though_a_solved_case_holds_control_characters(counted, settings):  # noqa: F811
    settings.ZOUFANG_TODAY = "2017-06-15"
    Case.objects.filter(pk=counted.cases["c1"].pk).update(description=TYPED, resolution="已修\x08复",
                                                           resolved_at=at("2017-06-14"))
    office = counted.users["office"]
    draft = services.generate_draft(counted.campaign, Document.Kind.BRIEFING, dt.date(2017, 6, 12),
                                    dt.date(2017, 6, 15), by=office)
    text = "\n".join(paragraphs(services.file_of(draft, by=office)))
    assert "1. 上下塘社区：路灯坏了<w:t>]]>&amp;\x7f（派出所：已修复）" in text
    assert Case.objects.get(pk=counted.cases["c1"].pk).description == TYPED  # stored as typed: nothing lost


def test_a_walk_list_is_written_though_a_target_s_name_holds_control_characters(town):
    household = town.households["shangxiatang"][0]
    Target.objects.filter(pk=household.pk).update(name="张\x0b建国", address="上下塘社区\x011号")
    Assignment.objects.create(campaign=town.campaign, target=household, unit=town.police,
                              cadre=town.users["dept"].cadre)
    out = io.BytesIO()
    assert write_unit_walk_lists(town.campaign, town.police, out, "docx") == 1
    text = paragraphs(out.getvalue())
    assert "张建国" in text
    assert "上下塘社区1号" in text
