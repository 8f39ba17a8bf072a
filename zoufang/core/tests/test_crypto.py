"""Issue 10 item 15: ID and phone numbers encrypted at rest, found through a keyed blind index, keys rotated."""

import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zoufang.cases.models import Case
from zoufang.cases.services import receive_case
from zoufang.core import crypto
from zoufang.core.keys import new_key
from zoufang.registry.api import filtered_targets
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town

NUMBER = id_number(42, born="19800202")
PHONE = "13962612345"


def raw(model: type, pk: int, column: str) -> str:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608 - test's own names
        return str(cursor.fetchone()[0])


def tamper(model: type, pk: int, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{column}" = %s WHERE id = %s', [value, pk])  # noqa: S608


def household(town, number: str = NUMBER, phone: str = PHONE, kind: str = Target.Kind.REGISTERED_HOUSEHOLD) -> Target:
    return Target.objects.create(kind=kind, region=town.shangxiatang, name="张三", phone=phone, id_number=number)


@pytest.fixture
def keys(settings):
    """Two data keys: "old" current at first; `rotate_to_new()` makes "new" current and keeps "old"."""
    old, new, index = new_key(), new_key(), new_key()
    settings.DATA_KEYS, settings.INDEX_KEY = f"old:{old}", index

    class Keys:
        @staticmethod
        def rotate_to_new() -> None:
            settings.DATA_KEYS = f"new:{new},old:{old}"

        @staticmethod
        def drop_old() -> None:
            settings.DATA_KEYS = f"new:{new}"

    return Keys


@pytest.mark.django_db
def test_it_stores_id_and_phone_numbers_only_as_ciphertext(keys, town):
    target = household(town)
    stored_id, stored_phone = raw(Target, target.pk, "id_number"), raw(Target, target.pk, "phone")
    assert stored_id.startswith("v1:old:")
    assert NUMBER not in stored_id
    assert stored_phone.startswith("v1:old:")
    assert PHONE not in stored_phone
    assert NUMBER not in raw(Target, target.pk, "id_number_index")
    # Random nonces: the same number twice is two different ciphertexts.
    other = Target.objects.create(kind=Target.Kind.RESIDENT_HOUSEHOLD, region=town.jijiadun, name="李四", phone=PHONE)
    assert raw(Target, other.pk, "phone") != stored_phone
    reloaded = Target.objects.get(pk=target.pk)
    assert (reloaded.id_number, reloaded.phone) == (NUMBER, PHONE)
    cadres = Cadre.objects.exclude(phone="")
    assert cadres.count() == 3
    for row in cadres:
        assert row.phone not in raw(Cadre, row.pk, "phone")


@pytest.mark.django_db
def test_it_encrypts_a_case_raisers_phone(keys, town):
    case = receive_case(campaign=town.campaign, kind="problem", description="路灯不亮", source="hotline",
                        raised_at=timezone.now(), raiser_name="张先生", raiser_phone=PHONE, by=town.users["office"])
    assert PHONE not in raw(Case, case.pk, "raiser_phone")
    assert Case.objects.get(raiser_phone="139 6261 2345").pk == case.pk
    assert Case.objects.get(pk=case.pk).raiser_phone == PHONE


@pytest.mark.django_db
def test_it_finds_numbers_through_the_index_and_refuses_partial_matches(keys, town):
    target = household(town, phone="0512-57223456")
    assert Target.objects.get(id_number=NUMBER.lower()).pk == target.pk
    assert Target.objects.get(phone="051257223456").pk == target.pk
    assert list(Target.objects.filter(id_number__in=[NUMBER, id_number(1, born="19800202")])) == [target]
    assert Target.objects.filter(id_number=id_number(1, born="19800202")).count() == 0
    with pytest.raises(FieldError):
        Target.objects.filter(id_number__contains=NUMBER[:6]).count()


@pytest.mark.django_db
def test_it_keeps_one_id_number_per_kind_through_the_index(keys, town):
    household(town)
    with pytest.raises(IntegrityError), transaction.atomic():
        household(town, number=NUMBER.lower(), phone="")
    household(town, kind=Target.Kind.RESIDENT_HOUSEHOLD)  # the rule is per kind, as before
    assert Target.objects.filter(id_number=NUMBER).count() == 2


@pytest.mark.django_db
def test_it_searches_a_whole_number_only_where_the_user_may_see_it(keys, town):
    target = household(town)
    office, leader = town.users["office"], town.users["leader"]
    assert list(filtered_targets(office, None, None, NUMBER)) == [target]
    assert list(filtered_targets(office, None, None, "139 6261 2345")) == [target]
    assert list(filtered_targets(office, None, None, NUMBER[:10])) == []
    assert list(filtered_targets(office, None, None, "张三")) == [target]
    # A leader sees the household with its numbers masked, and cannot confirm a guess by searching for one.
    assert list(filtered_targets(leader, None, None, "张三")) == [target]
    assert list(filtered_targets(leader, None, None, NUMBER)) == []
    assert list(filtered_targets(leader, None, None, PHONE)) == []


@pytest.mark.django_db
def test_it_refuses_duplicates_in_imports_and_finds_stored_households_through_the_index(keys):
    campaign = make_town()
    row = ["户籍户", "上下塘社区", "", "", "张三", "", PHONE, NUMBER, "幸福路1号", ""]
    assert run_import("households", csv_file([HEADER, row]), filename="h.csv", campaign=campaign).ok
    again = run_import("households", csv_file([HEADER, row, row]), filename="h.csv", campaign=campaign)
    assert "与第2行重复" in again.errors[0].message
    changed = [*row[:8], "幸福路2号", "是"]
    report = run_import("households", csv_file([HEADER, changed]), filename="h.csv", campaign=campaign)
    assert (report.created, report.updated) == (0, 1)
    stored = Target.objects.get(id_number=NUMBER)
    assert (stored.address, stored.hardship, stored.phone) == ("幸福路2号", True, PHONE)
    assert NUMBER not in raw(Target, stored.pk, "id_number")
    moved_phone = [*changed[:6], "13800000000", *changed[7:]]
    assert run_import("households", csv_file([HEADER, moved_phone]), filename="h.csv", campaign=campaign).ok
    assert Target.objects.get(phone="13800000000").pk == stored.pk  # the index follows a bulk update
    assert not Target.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_it_re_encrypts_on_rotation_and_old_keys_decrypt_until_then(keys, town):
    target = household(town)
    keys.rotate_to_new()
    assert Target.objects.get(id_number=NUMBER).phone == PHONE  # still under "old", still readable
    assert raw(Target, target.pk, "phone").startswith("v1:old:")
    fresh = household(town, kind=Target.Kind.RESIDENT_HOUSEHOLD)
    assert raw(Target, fresh.pk, "phone").startswith("v1:new:")

    out = io.StringIO()
    call_command("crypto", "rotate", "--batch", "2", stdout=out)
    assert "已完成" in out.getvalue()
    for row in Target.objects.all():
        for column in ("phone", "id_number"):
            assert crypto.key_id_of(raw(Target, row.pk, column)) in ("new", "")
    first = raw(Target, target.pk, "phone")
    call_command("crypto", "rotate", stdout=io.StringIO())
    assert raw(Target, target.pk, "phone") == first  # nothing left to do: nothing rewritten
    keys.drop_old()
    assert Target.objects.get(pk=target.pk).id_number == NUMBER
    call_command("crypto", "verify", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_does_not_decrypt_a_value_under_a_dropped_key(keys, town):
    target = household(town)
    keys.rotate_to_new()
    keys.drop_old()
    with pytest.raises(crypto.DecryptionError):
        Target.objects.get(pk=target.pk)
    with pytest.raises(CommandError, match="无法解密"):
        call_command("crypto", "rotate", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_verifies_and_finds_a_tampered_ciphertext_a_wrong_index_and_plain_text(keys, town):
    first, second = household(town), household(town, number=id_number(7, born="19800202"), phone="13800000000",
                                                kind=Target.Kind.RESIDENT_HOUSEHOLD)
    call_command("crypto", "verify", stdout=io.StringIO())
    stored = raw(Target, first.pk, "id_number")
    flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    tamper(Target, first.pk, "id_number", flipped)
    tamper(Target, second.pk, "phone_index", "0" * 64)
    tamper(Target, second.pk, "id_number", id_number(7, born="19800202"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 处问题"):
        call_command("crypto", "verify", stdout=out)
    text = out.getvalue()
    assert "无法解密" in text
    assert "检索索引与内容不符" in text
    assert "未加密" in text


@pytest.mark.django_db
def test_it_encrypts_existing_rows_in_the_data_migration_and_reverses_it(keys):
    """The data steps of the two encrypting migrations, run as `migrate` runs them, on rows stored in plain text.

    The steps are taken from the migration files through the loader and given the models as they stood at that
    migration. Migrating the schema back to before them would unapply every app that depends on registry (two
    minutes of the suite for a schema that every test database already builds forward); the rows are put back in
    their pre-migration form instead: the numbers in plain text, no blind index.
    """
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    campaign = make_town()
    village = campaign.scope.children.get(name="上下塘社区")
    target = Target.objects.create(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=village, name="张三", phone=PHONE,
                                   id_number=NUMBER)
    for column, value in (("id_number", NUMBER), ("phone", PHONE), ("id_number_index", ""), ("phone_index", "")):
        tamper(Target, target.pk, column, value)
    assert Target.objects.filter(id_number=NUMBER).count() == 0

    loader = MigrationLoader(connection)
    # Named by their suffix: the lead renumbers migrations on merge.
    ours = [key for key in loader.graph.nodes if key[1].endswith(("_encrypt_identifiers", "_encrypt_raiser_phone"))]
    assert len(ours) == 2
    steps = [(step, loader.project_state(key).apps) for key in ours
             for step in loader.graph.nodes[key].operations if isinstance(step, RunPython)]
    assert len(steps) == 3  # cadre, target, case
    editor = SimpleNamespace(connection=connection)  # what the steps use of the schema editor

    for step, apps in steps:
        step.code(apps, editor)
    assert raw(Target, target.pk, "id_number").startswith("v1:old:")
    assert PHONE not in raw(Target, target.pk, "phone")
    assert Target.objects.get(id_number=NUMBER, phone=PHONE).pk == target.pk
    call_command("crypto", "verify", stdout=io.StringIO())

    for step, apps in reversed(steps):
        step.reverse_code(apps, editor)
    assert (raw(Target, target.pk, "id_number"), raw(Target, target.pk, "phone")) == (NUMBER, PHONE)


@pytest.mark.django_db
def test_it_refuses_a_duplicate_id_number_in_a_form_with_a_message(keys, town):
    from django.forms import modelform_factory

    household(town)
    form_class = modelform_factory(Target, fields=["kind", "region", "name", "phone", "id_number"])
    form = form_class(data={"kind": Target.Kind.REGISTERED_HOUSEHOLD, "region": town.shangxiatang.pk, "name": "张三",
                            "phone": "", "id_number": NUMBER.lower()})
    assert not form.is_valid()
    assert "同一类别中已登记了这个身份证号码" in str(form.errors)


@pytest.mark.django_db
def test_it_finds_a_target_by_whole_id_number_in_the_admin_search(keys, town, rf):
    from django.contrib.admin.sites import site

    target = household(town)
    request = rf.get("/admin/registry/target/")
    request.user = town.users["office"]
    admin = site._registry[Target]
    found, _duplicates = admin.get_search_results(request, Target.objects.all(), NUMBER)
    assert list(found) == [target]


@pytest.mark.django_db
@pytest.mark.recorded_templates  # reads the admin form through response.context (test_admin._form_data)
def test_it_keeps_blind_indexes_out_of_the_admin_audit_trail(keys, town, client):
    from django.contrib.auth import get_user_model

    from zoufang.accounts.models import AuditEvent
    from zoufang.conftest import PASSWORD
    from zoufang.web.tests.test_admin import _form_data

    target = household(town)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD))
    url = f"/admin/registry/target/{target.pk}/change/"
    data = _form_data(client.get(url))
    data["phone"] = "13900001111"
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert set(event.changes) == {"phone"}
    assert Target.objects.get(phone="13900001111").pk == target.pk


def test_it_warns_a_deployment_whose_keys_were_generated_into_var(settings):
    from django.core import checks

    settings.DATA_KEYS_FROM_FILE = True
    assert "zoufang.W001" in {m.id for m in checks.run_checks(include_deployment_checks=True)}
    settings.DATA_KEYS_FROM_FILE = False
    assert "zoufang.W001" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}
