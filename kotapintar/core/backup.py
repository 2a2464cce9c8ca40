"""Backup and restore of a whole installation: the database, and the data directory's files (uploaded
documents, media, signing keys, per-installation secrets), in one `.tar.gz` with a manifest of
checksums.

The database is dumped with the engine's own tool, so nothing is lost in translation: SQLite's online
backup API (safe while the platform runs), PostgreSQL's `pg_dump --format=custom`. A backup restores on
the same engine; to move between engines see the admin guide (dumpdata in XML).

`restore` checks every checksum before it touches anything, creates the data directory and the
database when they are missing, refuses to overwrite a database that holds data unless told to, then
migrates and verifies: every audit chain, the chain heads recorded in the manifest, and every
document's SHA-256.
"""

import datetime
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = "kotapintar-backup"
VERSION = 1
SKIPPED_DIRS = {"static", "backups"}  # collected static files are rebuilt; backups are not backed up
DB_FILES = "database"


class BackupError(Exception):
    """Refused or failed, with a message for the administrator."""


@dataclass
class RestoreReport:
    files: int = 0
    documents: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432),
            "--username", db.get("USER") or "postgres"]
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _data_files(data_dir: Path, exclude: set[Path]):
    """Files of the data directory worth keeping: not the SQLite database, not collected static files."""
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts[0] in SKIPPED_DIRS or path in exclude or not path.is_file() or path.is_symlink():
            continue
        if path.name.startswith("kotapintar.sqlite3") or path.name == ".lock":
            continue
        yield path, relative


def _audit_heads() -> dict:
    from kotapintar.core.models import AuditChain

    return {chain.key: {"seq": chain.seq, "hash": chain.head_hash} for chain in AuditChain.objects.all()}


def backup_create(output: Path) -> dict:
    """Write the backup archive to `output`; returns its manifest."""
    engine, data_dir = _engine(), Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("kotapintar.sqlite3" if engine == "sqlite" else "kotapintar.pgdump")
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            args, env = _pg_env()
            _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(dump),
                  settings.DATABASES["default"]["NAME"]], env)
        files = list(_data_files(data_dir, {output.resolve()}))
        manifest = {
            "format": FORMAT, "version": VERSION, "engine": engine,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {"name": f"{DB_FILES}/{dump.name}", "sha256": _sha256(dump), "size": dump.stat().st_size},
            "files": [{"path": f"files/{rel.as_posix()}", "sha256": _sha256(path), "size": path.stat().st_size}
                      for path, rel in files],
            "audit_heads": _audit_heads(),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        partial.touch(mode=0o600)  # the archive holds private signing keys
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(dump, arcname=manifest["database"]["name"])
            for path, rel in files:
                archive.add(path, arcname=f"files/{rel.as_posix()}")
        partial.replace(output)
    return manifest


def _unpack(archive_path: Path, staging: Path) -> dict:
    """Extract into `staging` (regular files only, no path leaving it) and check every checksum."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"The backup file cannot be read: {exc}") from exc
    try:
        manifest = json.loads((staging / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("The backup has no readable manifest.json.") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("This file is not a Kota Pintar backup (or of an unknown version).")
    entries = [manifest["database"], *manifest["files"]]
    listed = {entry.get("path", entry.get("name")) for entry in entries}
    present = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()} - {"manifest.json"}
    if present - listed:
        raise BackupError(f"The backup holds files its manifest does not list: {sorted(present - listed)[:5]}")
    for entry in entries:
        name = entry.get("path", entry.get("name"))
        path = staging / name
        if not path.is_file() or path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"The backup is damaged or was changed: {name} does not match its checksum.")
    return manifest


def _database_has_data(engine: str) -> bool:
    from django.db.utils import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM core_city LIMIT 1")
            return cursor.fetchone() is not None
    except DatabaseError:
        return False
    finally:
        connections.close_all()


def _ensure_pg_database() -> None:
    import psycopg

    db = settings.DATABASES["default"]
    conninfo = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
                "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    with psycopg.connect(dbname=db["NAME"], autocommit=True, **conninfo) as target:
        target.execute("DROP SCHEMA IF EXISTS public CASCADE")
        target.execute("CREATE SCHEMA public")


def backup_restore(archive_path: Path, *, force: bool = False) -> RestoreReport:
    """Restore an archive made by `backup_create`, then migrate and verify."""
    from django.core.management import call_command

    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        staging = Path(tmp)
        manifest = _unpack(archive_path, staging)
        engine = _engine()
        if manifest["engine"] != engine:
            raise BackupError(f"This backup is of a {manifest['engine']} database; this installation uses "
                              f"{engine}. Restore it on {manifest['engine']}, or move the data with dumpdata "
                              f"(see the admin guide).")
        if not force and _database_has_data(engine):
            raise BackupError("The database already holds data. Restore replaces it: run again with --force.")
        dump = staging / manifest["database"]["name"]
        connections.close_all()
        if engine == "sqlite":
            target = Path(settings.DATABASES["default"]["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(dump, target)
        else:
            _ensure_pg_database()
            args, env = _pg_env()
            _run(["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname",
                  settings.DATABASES["default"]["NAME"], str(dump)], env)
        files_root = staging / "files"
        for top in sorted(p.name for p in files_root.iterdir()) if files_root.exists() else []:
            destination = data_dir / top
            if destination.is_dir():
                shutil.rmtree(destination)
            elif destination.exists():
                destination.unlink()
            shutil.move(str(files_root / top), destination)
        if (data_dir / "pki").is_dir():
            (data_dir / "pki").chmod(0o700)  # private signing keys
    report = RestoreReport(files=len(manifest["files"]))
    call_command("migrate", interactive=False, verbosity=0)
    _verify(manifest, report)
    return report


def _verify(manifest: dict, report: RestoreReport) -> None:
    from kotapintar.core.models import Document
    from kotapintar.core.services.audit import audit_verify
    from kotapintar.core.services.documents import document_path

    for chain in audit_verify():
        report.chains += 1
        if not chain.ok:
            report.problems.append(f"Audit chain {chain.chain} fails at seq {chain.first_bad_seq}: {chain.reason}")
    heads = _audit_heads()
    for key, head in manifest.get("audit_heads", {}).items():
        if key not in heads:
            report.problems.append(f"Audit chain {key} is missing after the restore.")
        elif heads[key]["seq"] < head["seq"] or heads[key]["seq"] == head["seq"] and heads[key]["hash"] != head["hash"]:
            report.problems.append(f"Audit chain {key} does not end where the backup recorded it.")
    for document in Document.objects.only("storage_name", "sha256").iterator():
        report.documents += 1
        path = document_path(document)
        if not path.is_file() or _sha256(path) != document.sha256:
            report.problems.append(f"Document {document.storage_name} is missing or does not match its checksum.")
