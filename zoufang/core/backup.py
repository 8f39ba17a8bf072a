"""Backups: a consistent snapshot of the database and the uploaded photos, encrypted; and its restore.

A backup file is AES-256-GCM over a tar archive holding `manifest.json` (engine, time, migrations,
and every table's row count and checksum), the database (SQLite's online backup, or `pg_dump` in the
custom format taken from an exported snapshot) and `media/`. The key comes from the environment
(ZOUFANG_BACKUP_KEY), never from the database or the backup itself. A restore writes into an empty
database only, and proves every table equal to the manifest before it reports success.
"""

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore are the tools made for this
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

MAGIC = b"ZOUFANG-BACKUP\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK = 1 << 20
FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the office staff (Chinese)."""


@dataclass(frozen=True)
class Target:
    """Where a restore writes: the database settings (Django's form) and the media folder."""

    database: dict[str, Any]
    media_root: Path


def new_key() -> str:
    """A fresh 256-bit key, as ZOUFANG_BACKUP_KEY takes it (URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise BackupError(_("备份密钥格式不对：应为 32 字节的 URL 安全 Base64 文本（可用 zoufang backup --new-key 生成）。"))
    return key


def configured_key() -> bytes:
    text = getattr(settings, "BACKUP_KEY", "")
    if not text:
        raise BackupError(_(
            "未设置备份密钥：请在环境变量 ZOUFANG_BACKUP_KEY 中给出密钥（可用 zoufang backup --new-key 生成），"
            "并把密钥与备份文件分开保管。"
        ))
    return parse_key(text)


# --- fingerprints: what "identical" means ------------------------------------------------------------


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return sorted(row[0] for row in cursor.fetchall())


def fingerprints(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Every table's row count and a SHA-256 over its rows in a total order (all columns)."""
    result = {}
    for table in table_names(cursor, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT * FROM {quoted} LIMIT 0")  # noqa: S608 - a name read from the catalogue
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(repr(tuple(_canonical(value) for value in row)).encode())
                rows += 1
        result[table] = {"rows": rows, "checksum": digest.hexdigest()}
    return result


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    return value


def differences(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            lines.append(_("表 %(t)s 缺失") % {"t": table})
        elif table not in expected:
            lines.append(_("多出表 %(t)s") % {"t": table})
        elif expected[table] != found[table]:
            lines.append(_("表 %(t)s 不一致：备份 %(a)s 行，恢复后 %(b)s 行") % {
                "t": table, "a": expected[table]["rows"], "b": found[table]["rows"]})
    return lines


# --- encryption: AES-256-GCM, streamed ---------------------------------------------------------------


def encrypt_file(source: Path, out: Path, key: bytes) -> None:
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(MAGIC)
    partial = out.with_name(out.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as sink, source.open("rb") as plain:
        sink.write(MAGIC + nonce)
        while chunk := plain.read(CHUNK):
            sink.write(encryptor.update(chunk))
        sink.write(encryptor.finalize() + encryptor.tag)
    partial.replace(out)  # a killed backup never leaves a file that looks whole


def decrypt_file(source: Path, out: Path, key: bytes) -> None:
    size = source.stat().st_size
    body = size - len(MAGIC) - NONCE_BYTES - TAG_BYTES
    with source.open("rb") as sealed:
        if body < 0 or sealed.read(len(MAGIC)) != MAGIC:
            raise BackupError(_("%(f)s 不是走访平台的备份文件。") % {"f": source.name})
        nonce = sealed.read(NONCE_BYTES)
        sealed.seek(size - TAG_BYTES)
        tag = sealed.read(TAG_BYTES)
        sealed.seek(len(MAGIC) + NONCE_BYTES)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(MAGIC)
        with out.open("wb") as plain:
            left = body
            while left:
                chunk = sealed.read(min(CHUNK, left))
                left -= len(chunk)
                plain.write(decryptor.update(chunk))
            try:
                plain.write(decryptor.finalize())
            except InvalidTag:
                raise BackupError(_("备份文件已被改动或损坏，或密钥不对：校验未通过，未恢复任何数据。")) from None


# --- backup ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="zoufang-backup-") as name:
        path = Path(name)
        path.chmod(0o700)
        yield path


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(_("%(tool)s 失败：%(err)s") % {"tool": command[0], "err": done.stderr.strip()[-800:]})


def _snapshot_sqlite(into: Path) -> dict[str, dict[str, Any]]:
    connection.ensure_connection()
    target = sqlite3.connect(into)
    try:
        connection.connection.backup(target)  # SQLite's online backup: consistent while others write
        return fingerprints(target.cursor(), "sqlite")
    finally:
        target.close()


def _snapshot_postgresql(into: Path) -> dict[str, dict[str, Any]]:
    """pg_dump inside the snapshot the fingerprints were read in: one consistent point in time."""
    db = connection.settings_dict
    with contextlib.closing(open_target(db)) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = fingerprints(pg.cursor(), "postgresql")
        args, env = _pg_args(db)
        _run(["pg_dump", *args, "--format=custom", f"--snapshot={snapshot}", "--file", str(into)], env)
        pg.execute("ROLLBACK")
    return tables


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def create_backup(out: Path, *, key: bytes | None = None) -> dict[str, Any]:
    """Write an encrypted backup to `out`; returns its manifest."""
    key = key if key is not None else configured_key()
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持的数据库：%(v)s") % {"v": vendor})
    media_root = Path(settings.MEDIA_ROOT)
    with _workdir() as work:
        dump = work / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
        tables = _snapshot_sqlite(dump) if vendor == "sqlite" else _snapshot_postgresql(dump)
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "engine": vendor,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),  # when the copy was taken: machine clock
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "tables": tables,
            "media": {
                path.relative_to(media_root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in media
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        archive = work / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            for path in media:
                tar.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
        out.parent.mkdir(parents=True, exist_ok=True)
        encrypt_file(archive, out, key)
    return manifest


# --- restore -----------------------------------------------------------------------------------------


def configured_target() -> Target:
    return Target(database=dict(connection.settings_dict), media_root=Path(settings.MEDIA_ROOT))


def open_target(db: dict[str, Any]) -> Any:
    """A plain DB-API connection to the restore target (never Django's default connection)."""
    if db["ENGINE"].endswith("sqlite3"):
        # A `file:` name is a URI (the suite's shared in-memory database): opened as a path, it would
        # create a file of that name in the working directory.
        return sqlite3.connect(str(db["NAME"]), uri=_sqlite_uri(db))
    import psycopg

    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _vendor(db: dict[str, Any]) -> str:
    return "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"


def _sqlite_uri(db: dict[str, Any]) -> bool:
    return str(db["NAME"]).startswith("file:")


def _ensure_empty(target: Target) -> None:
    db = target.database
    if _vendor(db) == "sqlite" and not _sqlite_uri(db) and not Path(db["NAME"]).exists():
        pass
    else:
        with contextlib.closing(open_target(db)) as conn:
            tables = table_names(conn.cursor(), _vendor(db))
        if tables:
            raise BackupError(_(
                "目标数据库 %(name)s 不是空库（已有 %(n)s 张表）：恢复只写入空数据库，请先新建一个空库。"
            ) % {"name": db["NAME"], "n": len(tables)})
    if target.media_root.exists() and any(target.media_root.iterdir()):
        raise BackupError(_("照片目录 %(p)s 不是空的：恢复只写入空目录。") % {"p": target.media_root})


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(_("备份中没有清单文件 manifest.json。"))
        manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(_("备份格式版本 %(v)s 不受支持。") % {"v": manifest.get("format")})
    return manifest


def restore_backup(source: Path, target: Target | None = None, *, key: bytes | None = None) -> dict[str, Any]:
    """Restore `source` into an empty database and media folder; proves every table equal to the manifest."""
    key = key if key is not None else configured_key()
    target = target or configured_target()
    db = target.database
    _ensure_empty(target)
    if _vendor(db) == "sqlite" and _sqlite_uri(db):
        raise BackupError(_("SQLite 只能恢复到数据库文件，不能恢复到 %(name)s。") % {"name": db["NAME"]})
    with _workdir() as work:
        archive = work / "backup.tar"
        decrypt_file(source, archive, key)  # nothing is written to the target before the tag checks
        manifest = read_manifest(archive)
        if manifest["engine"] != _vendor(db):
            raise BackupError(_("备份来自 %(a)s 数据库，不能恢复到 %(b)s 数据库。") % {
                "a": manifest["engine"], "b": _vendor(db)})
        with tarfile.open(archive) as tar:
            tar.extractall(work / "files", filter="data")
        files = work / "files"
        _check_media(files / "media", manifest["media"])
        if manifest["engine"] == "sqlite":
            _restore_sqlite(files / SQLITE_FILE, Path(db["NAME"]))
        else:
            args, env = _pg_args(db)
            _run(["pg_restore", *args, "--dbname", str(db["NAME"]), "--no-owner", "--single-transaction",
                  "--exit-on-error", str(files / PG_FILE)], env)
        with contextlib.closing(open_target(db)) as conn:
            problems = differences(manifest["tables"], fingerprints(conn.cursor(), _vendor(db)))
        if problems:
            raise BackupError(_("恢复后核对不一致：%(p)s") % {"p": "；".join(problems[:20])})
        _restore_media(files / "media", target.media_root, manifest["media"])
    return manifest


def _check_media(source: Path, expected: dict[str, str]) -> None:
    for name, checksum in expected.items():
        path = source / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != checksum:
            raise BackupError(_("照片 %(n)s 缺失或校验不一致，未恢复任何数据。") % {"n": name})


def _restore_sqlite(snapshot: Path, into: Path) -> None:
    into.parent.mkdir(parents=True, exist_ok=True)
    partial = into.with_name(into.name + ".restoring")
    shutil.copyfile(snapshot, partial)
    partial.chmod(0o600)
    partial.replace(into)


def _restore_media(source: Path, root: Path, expected: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in expected:
        path = source / name
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, root / name)
