"""Backup and restore (等保 数据备份恢复): an encrypted, consistent snapshot restored table for table."""

import contextlib
import os
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections

from zoufang.accounts import audit
from zoufang.core.backup import (
    BackupError,
    Target,
    fingerprints,
    new_key,
    open_target,
    parse_key,
    restore_backup,
    table_names,
)
from zoufang.registry.models import Target as VisitTarget

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_settings(settings: Any, tmp_path: Path) -> Any:
    settings.BACKUP_KEY = new_key()
    settings.MEDIA_ROOT = tmp_path / "media"
    photos = settings.MEDIA_ROOT / "visits" / "2017" / "06"
    photos.mkdir(parents=True)
    (photos / "a.jpg").write_bytes(b"\xff\xd8 photo one")
    (photos / "b.jpg").write_bytes(b"\xff\xd8 photo two")
    return settings


@pytest.fixture
def empty_database(tmp_path: Path) -> Any:
    """A fresh, empty database of the same engine as the suite's, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(db: dict[str, Any]) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def row_counts_via_orm() -> dict[str, int]:
    """Counted through Django, a path independent of the backup's own fingerprints."""
    return {model._meta.db_table: model._base_manager.count() for model in apps.get_models()}


def test_it_restores_every_table_identical(town: Any, backup_settings: Any, empty_database: Any,
                                           tmp_path: Path) -> None:
    audit.record(None, "update", town.campaign, summary="备份前的一条审计")
    counts = row_counts_via_orm()
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert b"photo one" not in out.read_bytes()  # encrypted, not merely packed
    assert counts[VisitTarget._meta.db_table] > 0

    VisitTarget.objects.all().delete()  # written after the snapshot: must not be in the restore

    call_command("restore", str(out), "--database-url", database_url(empty_database),
                 "--media-root", str(tmp_path / "media2"))

    with contextlib.closing(open_target(empty_database)) as restored:
        found = fingerprints(restored.cursor(), connection.vendor)
    for table, rows in counts.items():
        assert found[table]["rows"] == rows, table
    assert sum(table["rows"] for table in found.values()) > 50
    for name in ("a.jpg", "b.jpg"):
        original = backup_settings.MEDIA_ROOT / "visits" / "2017" / "06" / name
        copy = tmp_path / "media2" / "visits" / "2017" / "06" / name
        assert copy.read_bytes() == original.read_bytes()


def test_checksums_see_a_changed_row(town: Any, backup_settings: Any, empty_database: Any, tmp_path: Path) -> None:
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    restore_backup(out, Target(empty_database, tmp_path / "media2"))
    with contextlib.closing(open_target(empty_database)) as restored:
        cursor = restored.cursor()
        before = fingerprints(cursor, connection.vendor)
        table = VisitTarget._meta.db_table
        cursor.execute(f'UPDATE "{table}" SET name = name || \'x\' WHERE id = (SELECT min(id) FROM "{table}")')  # noqa: S608
        if connection.vendor == "sqlite":
            restored.commit()
        after = fingerprints(cursor, connection.vendor)
    assert before[table]["rows"] == after[table]["rows"]
    assert before[table]["checksum"] != after[table]["checksum"]


def test_it_refuses_a_tampered_file_and_writes_nothing(town: Any, backup_settings: Any, empty_database: Any,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="已被改动或损坏"):
        call_command("restore", str(out), "--database-url", database_url(empty_database),
                     "--media-root", str(tmp_path / "media2"))
    assert_empty(empty_database)
    assert not (tmp_path / "media2").exists()


def test_it_refuses_the_wrong_key(town: Any, backup_settings: Any, empty_database: Any, tmp_path: Path) -> None:
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    with pytest.raises(BackupError, match="密钥不对"):
        restore_backup(out, Target(empty_database, tmp_path / "media2"), key=parse_key(new_key()))
    assert_empty(empty_database)


def test_it_restores_only_into_an_empty_database(town: Any, backup_settings: Any, empty_database: Any,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    restore_backup(out, Target(empty_database, tmp_path / "media2"))
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(out), "--database-url", database_url(empty_database),
                     "--media-root", str(tmp_path / "media3"))


def test_the_suites_in_memory_database_is_opened_as_such_and_leaves_no_file(
        town: Any, backup_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's test database is named `file:memorydb_default?mode=memory&cache=shared`: opened as a path, that
    name was a new empty file in the working directory (and a restore would have written the backup there)."""
    monkeypatch.chdir(tmp_path)
    with contextlib.closing(open_target(connection.settings_dict)) as conn:
        assert VisitTarget._meta.db_table in table_names(conn.cursor(), connection.vendor)
    out = tmp_path / "zoufang.zfbak"
    call_command("backup", "--out", str(out))
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(out), "--media-root", str(tmp_path / "media2"))
    if connection.vendor == "sqlite":
        empty_in_memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:zoufang_empty?mode=memory&cache=shared"}
        with pytest.raises(BackupError, match="只能恢复到数据库文件"):
            restore_backup(out, Target(empty_in_memory, tmp_path / "media2"))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["media", "zoufang.zfbak"]
    assert not [path for path in Path(backup_settings.BASE_DIR).iterdir() if path.name.startswith("file:")]


def test_it_needs_a_key_from_the_environment(town: Any, settings: Any, tmp_path: Path) -> None:
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="ZOUFANG_BACKUP_KEY"):
        call_command("backup", "--out", str(tmp_path / "x.zfbak"))
    assert not (tmp_path / "x.zfbak").exists()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    path = tmp_path / "zoufang.sqlite3"
    path.touch()
    os.chmod(path, 0o644)  # noqa: S103 - as an older install left it
    os.chmod(tmp_path, 0o755)  # noqa: S103
    config = connections.configure_settings({"default": {"ENGINE": "django.db.backends.sqlite3",
                                                         "NAME": str(path)}})["default"]
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper(config, "owner_only")
    try:
        wrapper.ensure_connection()
    finally:
        wrapper.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def assert_empty(db: dict[str, Any]) -> None:
    if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).exists():
        return
    with contextlib.closing(open_target(db)) as conn:
        assert fingerprints(conn.cursor(), connection.vendor) == {}
