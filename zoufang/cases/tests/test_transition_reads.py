"""A transition reads the case row once, locked, and hands back the case as a fresh read of the database gives it:
every column's value and type, the relations it no longer points at forgotten, the columns it was read without
still deferred."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases import actions, answers
from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db


def _case_reads(queries: CaptureQueriesContext) -> list[str]:
    """The reads of the case's own row (all its columns); the kept counts' read of its contribution is another."""
    quote = connection.ops.quote_name
    row = ", ".join(f"{quote(Case._meta.db_table)}.{quote(f.column)}" for f in Case._meta.concrete_fields[:2])
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f"SELECT {row}")]


def _as_read(case: Case) -> dict[str, tuple[type, object]]:
    return {f.attname: (type(getattr(case, f.attname)), getattr(case, f.attname)) for f in Case._meta.concrete_fields}


def test_a_transition_reads_the_case_once(cases_town, make_case):
    case = make_case()
    with CaptureQueriesContext(connection) as queries:
        actions.register_case(case, by=cases_town.users["office"], version=case.version, category=cases_town.category)

    assert len(_case_reads(queries)) == 1, "\n".join(q[:60] + " … " + q[-200:] for q in _case_reads(queries))


def test_the_case_handed_back_is_the_case_as_the_database_reads_it(cases_town, make_case):
    office, handler = cases_town.users["office"], cases_town.users["handler"]
    case = make_case()
    case = actions.register_case(case, by=office, version=case.version, category=cases_town.category)
    case = actions.dispatch_case(case, cases_town.police, by=office, version=case.version)
    assert case.unit == cases_town.police
    case = actions.accept_case(case, by=handler, version=case.version)
    case = actions.resolve_case(case, by=handler, version=case.version, result="已更换路灯")
    case = answers.reply_case(case, by=handler, version=case.version, channel="phone", content="已电话告知办理结果")

    assert _as_read(case) == _as_read(Case.objects.get(pk=case.pk))
    assert isinstance(case.resolved_at, dt.datetime)
    assert case.resolved_at.utcoffset() == dt.timedelta(0)  # as the database gives a moment back: in UTC
    assert type(case.status) is str


def test_a_relation_moved_by_the_transition_is_forgotten_and_deferred_columns_stay_deferred(cases_town, make_case):
    office = cases_town.users["office"]
    case = make_case()
    case = actions.register_case(case, by=office, version=case.version, category=cases_town.category)
    case = actions.dispatch_case(case, cases_town.police, by=office, version=case.version)
    light = Case.objects.select_related("unit").defer("description").get(pk=case.pk)
    assert light.unit == cases_town.police

    light = actions.return_case(light, by=cases_town.users["handler"], version=light.version, reason="不属于本单位职责")

    assert light.get_deferred_fields() == {"description"}
    assert light.unit_id is None
    assert light.unit is None
    assert light.status == Case.Status.RETURNED
