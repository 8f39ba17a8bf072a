"""The read replica (zoufang/core/dbrouter.py): a dashboard's reads on the replica alias, every write and every
read that may follow a write on the primary. The replica is a test mirror of `default` here, as settings make it
under the test runner when DATABASE_REPLICA_URL is set; the tests are transactional, so that the mirror's own
connection sees the rows they write."""

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from zoufang.core import dbrouter
from zoufang.core.dbrouter import REPLICA, reads_from_replica, replica_reads
from zoufang.regions.models import Region

ON_BOTH = pytest.mark.django_db(transaction=True, databases="__all__")
# The settings tests read DATABASE_URL without a database fixture: they run in both halves of `make test`.
pytestmark = pytest.mark.every_database


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup: Any) -> Iterator[None]:
    """A `replica` alias as settings configure it from DATABASE_REPLICA_URL: a mirror of the test database."""
    added = REPLICA not in connections.settings
    if added:
        mirror = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)  # its NAME is the test database's
        mirror["TEST"] = {**mirror["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
        connections.settings[REPLICA] = mirror
    yield
    if added:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@contextmanager
def captured() -> Iterator[dict[str, CaptureQueriesContext]]:
    """The queries sent on each alias."""
    with ExitStack() as stack:
        yield {alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
               for alias in (DEFAULT_DB_ALIAS, REPLICA)}


def sql(capture: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in capture.captured_queries]


def writes(capture: CaptureQueriesContext) -> list[str]:
    return [q for q in sql(capture) if q.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


@ON_BOTH
def test_a_dashboard_request_reads_its_figures_from_the_replica(town, login):
    client = login(town.users["office"])
    with captured() as queries:
        response = client.get(f"/oversight/{town.campaign.slug}/")
    assert response.status_code == 200
    replica, default = sql(queries[REPLICA]), sql(queries[DEFAULT_DB_ALIAS])
    # The figures and the campaign they are of: on the replica, and only there.
    assert any("oversight_coveragetally" in q for q in replica), replica
    assert any("campaigns_campaign" in q for q in replica)
    assert not any("oversight_" in q or "campaigns_campaign" in q for q in default), default
    assert not writes(queries[REPLICA])
    # The session and the signed-in user are read by the middleware, before the view: on the primary,
    # which has the session that the login has just written.
    assert any("django_session" in q for q in default)
    assert not any("django_session" in q for q in replica)


@ON_BOTH
def test_an_api_figure_reads_from_the_replica(town, api_token):
    headers = api_token("office")
    with captured() as queries:
        response = client_get(f"/api/v1/oversight/{town.campaign.slug}/coverage?by=village", headers)
    assert response.status_code == 200, response.content
    assert any("oversight_coveragetally" in q for q in sql(queries[REPLICA]))
    assert not any("oversight_" in q for q in sql(queries[DEFAULT_DB_ALIAS]))
    # The token is checked (and its use written) on the primary, outside the view.
    assert any("accounts_apitoken" in q for q in sql(queries[DEFAULT_DB_ALIAS]))
    assert not any("accounts_apitoken" in q for q in sql(queries[REPLICA]))


def client_get(url: str, headers: dict[str, str]) -> Any:
    from django.test import Client

    return Client().get(url, **headers)


@ON_BOTH
def test_a_write_goes_to_the_primary_and_the_rest_of_the_request_reads_there():
    with captured() as queries, replica_reads():
        assert Region.objects.filter(name="锦溪镇").count() == 0
        Region(name="锦溪镇", level=Region.Level.TOWN, parent=None).save()
        assert Region.objects.filter(name="锦溪镇").count() == 1  # read-your-writes
    replica, default = queries[REPLICA], queries[DEFAULT_DB_ALIAS]
    assert len(sql(replica)) == 1
    assert not writes(replica)
    assert writes(default)
    assert sql(default)[-1].lstrip().upper().startswith("SELECT COUNT")


@ON_BOTH
def test_an_object_read_from_the_replica_is_saved_on_the_primary():
    Region(name="锦溪镇", level=Region.Level.TOWN, parent=None).save()
    with replica_reads():
        town = Region.objects.get(name="锦溪镇")
    assert town._state.db == REPLICA  # noqa: SLF001
    with captured() as queries:
        town.name = "周庄镇"
        town.save()
        assert Region.objects.get(pk=town.pk).name == "周庄镇"
    assert writes(queries[DEFAULT_DB_ALIAS])
    assert not sql(queries[REPLICA])


@ON_BOTH
def test_reads_inside_a_transaction_on_the_primary_stay_there():
    with captured() as queries, replica_reads(), transaction.atomic():
        Region(name="锦溪镇", level=Region.Level.TOWN, parent=None).save()
        assert Region.objects.filter(name="锦溪镇").exists()
    assert not sql(queries[REPLICA])
    with captured() as queries, transaction.atomic(), replica_reads():
        assert Region.objects.select_for_update().filter(name="锦溪镇").exists()
    assert not sql(queries[REPLICA])


@ON_BOTH
def test_only_get_and_head_are_routed():
    count = reads_from_replica(lambda request: Region.objects.count())
    for method, alias in (("get", REPLICA), ("head", REPLICA), ("post", DEFAULT_DB_ALIAS)):
        with captured() as queries:
            count(getattr(RequestFactory(), method)("/"))
        assert len(sql(queries[alias])) == 1, method
        assert not sql(queries[REPLICA if alias == DEFAULT_DB_ALIAS else DEFAULT_DB_ALIAS]), method


def test_with_no_replica_the_router_decides_nothing(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: False)
    router = dbrouter.ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Region) is None
        assert router.db_for_write(Region) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Region) is None
    assert router.allow_migrate(REPLICA, "regions") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "regions") is None


def test_settings_make_the_replica_a_test_mirror(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/primary.sqlite3",
           "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path}/replica.sqlite3", "ZOUFANG_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "zoufang.settings"}
    shown = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", "import json; from django.conf import settings; "
         "print(json.dumps([settings.DATABASES['replica']['NAME'], settings.DATABASES['replica']['TEST'], "
         "settings.DATABASE_ROUTERS]))"], env=env, capture_output=True, text=True, check=True)
    name, test, routers = json.loads(shown.stdout)
    assert name.endswith("replica.sqlite3")
    assert test == {"MIRROR": "default"}
    assert routers == ["zoufang.core.dbrouter.ReplicaRouter"]
    env["DATABASE_REPLICA_URL"] = "postgres://replica.example/zoufang"
    refused = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from django.conf import settings; settings.DATABASES"], env=env,
        capture_output=True, text=True, check=False)
    assert "DATABASE_REPLICA_URL must point at the same kind of database" in refused.stderr


def test_settings_give_a_sqlite_file_named_by_database_url_the_embedded_defaults_options(tmp_path):
    """Without IMMEDIATE, concurrent API reads that audit answered "database is locked" (500) on such a file."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/zoufang.sqlite3", "ZOUFANG_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "zoufang.settings"}
    env.pop("DATABASE_REPLICA_URL", None)
    shown = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", "import json; from django.conf import settings; "
         "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"], env=env, capture_output=True, text=True,
        check=True)
    assert json.loads(shown.stdout) == {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
