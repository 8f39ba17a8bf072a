"""Schemathesis over the whole /api/v1 as the town office: no server error, every answer as documented.

A bounded run (MAX_EXAMPLES per operation, under two minutes in all) in process against the WSGI
application, on whichever database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL).
Half of the generated requests name real objects (a case, a visit, a target, a questionnaire, the
campaign), so the actions behind a valid id are fuzzed too, not only the 404 of a random one.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zoufang.core.management.commands.openapi import current_schema
from zoufang.visits.tests.conftest import make_visiting, payload

# A deeper run, for a release or after an API change: ZOUFANG_FUZZ_EXAMPLES=200 pytest this module.
MAX_EXAMPLES = int(os.environ.get("ZOUFANG_FUZZ_EXAMPLES", "15"))

schema = schemathesis.openapi.from_dict(json.loads(current_schema()))
schema.app = get_wsgi_application()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def one_connection() -> Iterator[None]:
    """Keep the test's database connection across the request, as Django's test client does: the WSGI
    application closes it when a request starts and finishes, which would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The office's token, and real ids for the path parameters: a visit with its opinion's case, a
    hotline case, a target, a questionnaire and the campaign. Built once for the module (about half its time when
    each operation built its own) and rolled back at its end; each operation's own writes are rolled back after
    it, as usual, so every operation starts from the same town."""
    from django.test import Client, override_settings

    from zoufang.conftest import api_token_for, make_town, rolled_back

    quick = {"TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                   "QUEUES": ["default"]}},
             "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}
    with rolled_back(django_db_blocker), override_settings(**quick):
        visiting = make_visiting(make_town())
        client = Client()
        visit = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json",
                            **api_token_for(client, "dept"))
        assert visit.status_code == 201, visit.content
        headers = {"Authorization": api_token_for(client, "office")["HTTP_AUTHORIZATION"]}
        case = client.post("/api/v1/cases/", {"campaign": visiting.campaign.slug, "kind": "problem",
                                              "description": "路灯不亮"},
                           content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"])
        assert case.status_code == 201, case.content
        yield {"headers": headers, "real": {
            "case_id": [case.json()["id"], visit.json()["cases"][0]["id"]],
            "visit_id": [visit.json()["id"]],
            "target_id": [str(visiting.enterprise.public_id)],
            "key": ["enterprise_survey", "six_ones_form"],
            "slug": [visiting.campaign.slug],
        }}


@pytest.fixture
def office(world: dict[str, Any], db: Any) -> dict[str, Any]:
    """The module's town for one operation, with its own count of examples (every other one names real ids)."""
    return {**world, "turn": count()}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_it_answers_every_api_request_as_documented(case: Any, office: dict[str, Any]) -> None:
    turn = next(office["turn"])
    if case.path_parameters and turn % 2:
        for name in case.path_parameters:
            if name in office["real"]:
                choices = office["real"][name]
                case.path_parameters[name] = choices[turn // 2 % len(choices)]
    with one_connection():
        case.call_and_validate(headers=office["headers"], checks=CHECKS)
