"""Every read-only download a queued job writes survives visits arriving while it is written, and is the data of
the moment its build began (decisions 0024, 0027).

On SQLite in WAL mode (`make run`), a write on a connection whose read statement is still open fails with "database
is locked" once another connection has committed since that read began: a builder storing anything (its progress,
an audit row of full numbers shown) while it still reads rows from a server-side cursor failed when a cadre
submitted a visit meanwhile. On either database, a file read in several statements while visits arrive mixed two
moments. Here each read-only kind is built by `jobs.services.run` on 孟河镇 (the demo's second town: its plan,
visits, answers and cases), on a file-backed SQLite database and on PostgreSQL, while a cadre's visit is committed by
another connection after every statement the build reads; server-side cursors read a row at a time (a town's rows
keep a cursor open across the build's other statements as a city's chunks of 2,000 do). The job must end done, its
file the one built just before.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, QuerySet

from zoufang.core.testfiledb import another_connection, on_a_file  # noqa: F401 - a fixture
from zoufang.jobs import kinds, services
from zoufang.jobs.models import Download
from zoufang.jobs.testing import cells
from zoufang.jobs.tests import kinds as _test_kinds  # noqa: F401 - the test kinds, registered

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}

TEST_KINDS = {"test_slow", "test_reading"}


@dataclass
class Menghe:
    campaign: Any
    users: dict[str, Any]
    assessment: Any
    batch: Any
    draft: Any
    unit: Any


@pytest.fixture
def menghe(on_a_file: None, settings: Any) -> Menghe:  # noqa: F811
    """孟河镇 on the file, with what the read-only downloads show (`_downloads_shown`): built once a run and
    written back for every kind (zoufang/core/testsnap.py), each test starting from the same empty database."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from zoufang.assessment.models import Assessment
    from zoufang.callbacks.models import CallbackBatch
    from zoufang.campaigns.models import Campaign
    from zoufang.conftest import _demo_settings
    from zoufang.core.testsnap import built
    from zoufang.documents.models import Document
    from zoufang.registry.models import Unit
    from zoufang.visits.demo import DEMO_TODAY

    settings.ZOUFANG_TODAY = DEMO_TODAY
    settings.TASKS = DUMMY  # each job is run by the test, once asked
    with transaction.atomic():
        made = built(f"downloads-shown-{DEMO_TODAY}-{_demo_settings()}", _downloads_shown)
    users = {key: get_user_model().objects.get(pk=pk) for key, pk in made["users"].items()}
    return Menghe(Campaign.objects.get(pk=made["campaign"]), users, Assessment.objects.get(pk=made["assessment"]),
                  CallbackBatch.objects.get(pk=made["batch"]), Document.objects.get(pk=made["draft"]),
                  Unit.objects.get(pk=made["unit"]))


def _downloads_shown() -> dict[str, Any]:
    """孟河镇 with an assessment, a callback batch, a draft 简报, the city office above it, and the unit whose
    cadres visited most with a handler of its own: their keys."""
    from django.contrib.auth import get_user_model

    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.assessment.services import run_assessment
    from zoufang.callbacks.sampling import Period
    from zoufang.callbacks.services import draw_batch
    from zoufang.conftest import PASSWORD, menghe_campaign
    from zoufang.demo.menghe import OFFICE
    from zoufang.documents.models import Document
    from zoufang.documents.services import generate_draft
    from zoufang.registry.models import Target, Unit
    from zoufang.visits.demo import DEMO_TODAY
    from zoufang.visits.models import Visit

    campaign = menghe_campaign()
    busiest = (Visit.objects.filter(campaign=campaign).values("cadre__unit").annotate(n=Count("id"))
               .order_by("-n", "cadre__unit").first())
    assert busiest is not None
    unit = Unit.objects.get(pk=busiest["cadre__unit"])
    # The synthetic town has no phone numbers: its visited households get one, shown in full to the office (an
    # identity role) in the unit's ledger, whose audit row is written as the file is.
    for n, target in enumerate(Target.objects.filter(visits__cadre__unit=unit).distinct().order_by("id")):
        target.phone = f"1390000{n:04d}"
        target.save(update_fields=["phone"])
    Role = RoleGrant.Role
    users = {
        "office": get_user_model().objects.get(username=OFFICE),
        "assessor": ensure_user("menghe_assessor", PASSWORD, role=Role.ASSESSOR, region=campaign.scope),
        "city": ensure_user("xinbei", PASSWORD, role=Role.CITY_OFFICE, region=campaign.scope.parent),
        "handler": ensure_user("menghe_unit", PASSWORD, role=Role.UNIT_HANDLER, unit=unit, region=unit.region),
    }
    start, end = campaign.starts_on, dt.date.fromisoformat(DEMO_TODAY)
    assessment = run_assessment(campaign, starts_on=start, ends_on=end, title="", by=users["assessor"])
    batch = draw_batch(campaign, Period(start, end), by=users["office"], count=20, seed=7)
    draft = generate_draft(campaign, Document.Kind.BRIEFING, end - dt.timedelta(days=30), end, by=None)
    return {"campaign": campaign.pk, "users": {key: user.pk for key, user in users.items()},
            "assessment": assessment.pk, "batch": batch.pk, "draft": draft.pk, "unit": unit.pk}


def _form(m: Menghe) -> str:
    from zoufang.forms.models import FormAnswer

    answer = FormAnswer.objects.filter(visit__campaign=m.campaign).select_related("form_version__form").first()
    assert answer is not None
    return str(answer.form_version.form.key)


# Each read-only kind: who asks, and what.
ASKED: dict[str, Callable[[Menghe], tuple[str, dict[str, Any]]]] = {
    "plan_export": lambda m: ("office", {"campaign": m.campaign.slug, "fmt": "xlsx"}),
    "plan_export.docx": lambda m: ("office", {"campaign": m.campaign.slug, "fmt": "docx"}),
    "walk_lists": lambda m: ("office", {"unit": str(m.unit.public_id), "campaign": m.campaign.slug, "fmt": "xlsx"}),
    "walk_lists.docx": lambda m: ("office", {"unit": str(m.unit.public_id), "campaign": m.campaign.slug,
                                             "fmt": "docx"}),
    "unit_ledger": lambda m: ("office", {"unit": str(m.unit.public_id)}),
    "assessment_xlsx": lambda m: ("office", {"slug": m.campaign.slug, "assessment": str(m.assessment.public_id)}),
    "oversight_all": lambda m: ("office", {"slug": m.campaign.slug}),
    "oversight_city_all": lambda m: ("city", {"region": str(m.campaign.scope.parent.public_id)}),
    "cases_weekly": lambda m: ("office", {"kind": "problem"}),
    "cases_upper": lambda m: ("city", {}),
    "callbacks_xlsx": lambda m: ("office", {"batch": str(m.batch.public_id)}),
    "integrity_xlsx": lambda m: ("office", {"slug": m.campaign.slug}),
    "form_answers": lambda m: ("office", {"key": _form(m)}),
    "oversight_rows": lambda m: ("office", {"slug": m.campaign.slug, "what": "unvisited"}),
    "full_coverage_rows": lambda m: ("office", {"slug": m.campaign.slug, "requirement": "households",
                                                "gap": "unvisited"}),
    "oversight_units": lambda m: ("handler", {}),
    "document_draft": lambda m: ("office", {"slug": m.campaign.slug, "document": str(m.draft.public_id)}),
}


def test_every_read_only_kind_is_built_here() -> None:
    """A kind that makes something (Kind.writes: a plan, a scan, a batch, a draft, an import) keeps transactions of
    its own; every other is read at one moment and built below."""
    reading = {key for key, kind in kinds.KINDS.items() if not kind.writes} - TEST_KINDS
    assert {name.partition(".")[0] for name in ASKED} == reading


class VisitsMeanwhile:
    """After each statement the job reads (outside a transaction of its own), a cadre's visit to a target not yet
    visited — the questionnaires answered, an opinion raised — committed by another connection: the cadres' phones
    while the worker writes the file. The unit's own cadres first (its ledger, its walk lists)."""

    def __init__(self, campaign: Any, unit: Any) -> None:
        from zoufang.campaigns.models import CaseCategory
        from zoufang.planning.models import Assignment
        from zoufang.visits.models import Visit

        visited = Visit.objects.filter(campaign=campaign).values("target_id")
        waiting = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False).exclude(target_id__in=visited)
                   .order_by("id").values_list("id", flat=True))
        # Popped from the end, each read when its visit is made: a build reads a few hundred of the thousands.
        self.waiting = [*waiting.exclude(unit=unit), *waiting.filter(unit=unit)]
        self.categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, parent__isnull=False)}
        self.campaign = campaign
        self.read = self.made = 0
        self.busy = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        if self.busy or context["connection"].in_atomic_block or not sql.lstrip()[:6].upper() == "SELECT":
            return result
        self.busy = True
        self.read += 1
        try:
            with another_connection():
                self.visit()
        finally:
            self.busy = False
        return result

    def visit(self) -> None:
        import random

        from zoufang import clock
        from zoufang.forms.demo import filled_answers
        from zoufang.planning.models import Assignment
        from zoufang.visits import rules
        from zoufang.visits.demo import record_demo_visit
        from zoufang.visits.services import Opinion

        assignment = (Assignment.objects.select_related("target__region", "cadre", "unit")
                      .get(pk=self.waiting.pop()))
        rng = random.Random(self.made)
        modes = rules.allowed_modes(self.campaign, assignment.target, assignment.cadre)
        code = sorted(self.categories)[self.made % len(self.categories)]
        assert record_demo_visit(self.campaign, assignment, clock.now(), mode=modes[0],
                                 fill=lambda key, spec: filled_answers(spec, rng, clock.today()),
                                 opinions=[Opinion(kind="problem", description="路灯坏了，晚上出行不便", category=code)],
                                 categories=self.categories, summary="了解近况，收集意见")
        self.made += 1


def _one_row_at_a_time(monkeypatch: Any) -> None:
    """Server-side cursors read a row a round trip: a town's few rows keep a cursor open across the statements
    and writes between them, as a city's 2,000-row chunks do."""
    iterator = QuerySet.iterator

    def by_one(self: QuerySet[Any], chunk_size: int | None = None) -> Any:
        return iterator(self, chunk_size=1)

    monkeypatch.setattr(QuerySet, "iterator", by_one)


def _built(user: Any, kind: str, params: dict[str, Any]) -> Download:
    download = services.request(user, kind, params)
    status = services.run(download.pk)
    download.refresh_from_db()
    assert status == "done", download.error
    return download


def _content(download: Download) -> Any:
    path = services.file_path(download)
    assert path is not None
    data = Path(path).read_bytes()
    if download.filename.endswith(".xlsx"):
        return cells(data)
    if download.filename.endswith(".docx"):
        import zipfile
        from io import BytesIO

        with zipfile.ZipFile(BytesIO(data)) as docx:
            return docx.read("word/document.xml").decode()
    return data


@pytest.mark.parametrize("asked", sorted(ASKED))
def test_a_download_is_the_data_of_one_moment_while_visits_arrive(menghe, asked, monkeypatch):
    kind = asked.partition(".")[0]
    who, params = ASKED[asked](menghe)
    user = menghe.users[who]
    _one_row_at_a_time(monkeypatch)
    before = _content(_built(user, kind, params))
    meanwhile = VisitsMeanwhile(menghe.campaign, menghe.unit)
    build = kinds.KINDS[kind].build

    def build_while_visits_arrive(*args: Any) -> str:  # the job's file, not its checks (asked, resolved)
        with connection.execute_wrapper(meanwhile):
            return build(*args)

    monkeypatch.setitem(kinds.KINDS, kind, dataclasses.replace(kinds.KINDS[kind], build=build_while_visits_arrive))
    during = _built(user, kind, params)
    assert meanwhile.made == meanwhile.read  # a visit arrived after each statement it read (none: a stored file)
    assert _content(during) == before
