"""The restore drill of the admin guide, run as an administrator would: the `kotapintar` command in its
own processes, on a data directory and a database of its own (SQLite, and PostgreSQL when reachable).

Back up a demo installation, wipe it (data directory deleted, database dropped), restore, verify: the
audit chains and documents check out, and a permit issued before still verifies and downloads.
"""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from kotapintar.testservices import require_service

KOTAPINTAR = str(Path(sys.executable).with_name("kotapintar"))

# Prints the first issued permit of Bandung: its number, whether its signature verifies, and whether
# its applicant can download it (the document's bytes hashed).
PERMIT_CHECK = """
import hashlib, json
from django.test import Client
from django.urls import reverse
from kotapintar.core.services.documents import document_path
from kotapintar.permits.models import Permit
from kotapintar.permits.signing import verify_pdf
permit = Permit.objects.filter(city__slug="bandung").select_related("document", "city").order_by("pk").first()
pdf = document_path(permit.document).read_bytes()
client = Client()
client.force_login(permit.application.applicant)
response = client.get(reverse("document-download", args=[permit.document.token]))
body = b"".join(response.streaming_content) if response.streaming else response.content
print(json.dumps({"number": permit.number, "valid": verify_pdf(pdf, city=permit.city).valid,
                  "status": response.status_code, "sha256": hashlib.sha256(body).hexdigest()}))
"""


def environment(data_dir: Path) -> dict:
    """The machine's environment for a fresh installation: production settings, SQLite unless told."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return {**env, "KOTAPINTAR_DATA_DIR": str(data_dir)}


def kotapintar(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([KOTAPINTAR, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"kotapintar {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def permit_state(env: dict) -> dict:
    return json.loads(kotapintar(env, "shell", "-c", PERMIT_CHECK).stdout.strip().splitlines()[-1])


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request, tmp_path):
    env = environment(tmp_path / "data")
    name = None
    if request.param == "postgresql":
        require_service("postgresql")
        name = f"kp_drill_{uuid.uuid4().hex[:10]}"
        psql(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    yield env, request.param
    if name:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_wipe_restore_verify(installation, tmp_path):
    env, engine = installation
    kotapintar(env, "migrate", "-v0")
    kotapintar(env, "demo")
    before = permit_state(env)
    assert before["valid"] and before["status"] == 200

    archive = tmp_path / "backup.tar.gz"
    out = kotapintar(env, "backup", "-o", str(archive)).stdout
    assert "Backup written" in out
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds the private signing keys

    # Wipe: the data directory and the database are gone, as after losing the machine.
    data_dir = Path(env["KOTAPINTAR_DATA_DIR"])
    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    if engine == "postgresql":
        psql(f'DROP DATABASE "{env["DATABASE_URL"].rsplit("/", 1)[1]}" WITH (FORCE)')

    out = kotapintar(env, "restore", str(archive)).stdout
    assert "Restore verified" in out
    assert permit_state(env) == before
    assert "All" in kotapintar(env, "audit", "verify").stdout
    assert oct((data_dir / "pki").stat().st_mode & 0o777) == "0o700"

    # A second restore over the live data is refused unless forced.
    refused = kotapintar(env, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert "Restore verified" in kotapintar(env, "restore", str(archive), "--force").stdout


def test_damaged_backup_is_refused_before_anything_changes(tmp_path):
    env = environment(tmp_path / "data")
    kotapintar(env, "migrate", "-v0")
    kotapintar(env, "city", "create", "--code", "32.73")
    archive = tmp_path / "backup.tar.gz"
    kotapintar(env, "backup", "-o", str(archive))

    # One byte of the database dump changed, the manifest kept.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    dump = unpacked / "database" / "kotapintar.sqlite3"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 1
    dump.write_bytes(bytes(data))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(unpacked).as_posix())

    database = Path(env["KOTAPINTAR_DATA_DIR"]) / "kotapintar.sqlite3"
    before = database.read_bytes()
    result = kotapintar(env, "restore", str(tampered), "--force", check=False)
    assert result.returncode != 0
    assert "does not match its checksum" in result.stderr
    assert database.read_bytes() == before  # nothing was touched

    not_a_backup = tmp_path / "random.tar.gz"
    not_a_backup.write_bytes(b"\x1f\x8b garbage")
    result = kotapintar(env, "restore", str(not_a_backup), check=False)
    assert result.returncode != 0 and "cannot be read" in result.stderr
