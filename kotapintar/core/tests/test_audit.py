import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kotapintar.core.models import AuditChain, AuditEntry
from kotapintar.core.services.audit import audit_record, audit_verify, audit_verify_chain
from kotapintar.core.testing import make_city


@pytest.fixture
def chain(db):
    city = make_city()
    for i in range(5):
        audit_record(city=city, actor="tester", action="test.step", data={"i": i, "amount": "1500000.00"})
    return city, f"city:{city.pk}"


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_are_chained(chain):
    city, key = chain
    entries = list(AuditEntry.objects.filter(chain=key).order_by("seq"))
    assert entries[0].action == "city.create"
    assert [e.seq for e in entries] == list(range(1, 7))
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit_verify_chain(key).ok


def test_changed_content_is_found_and_named(chain):
    city, key = chain
    target = AuditEntry.objects.get(chain=key, seq=4)
    raw("UPDATE core_auditentry SET data = %s WHERE id = %s", ['{"i": 2, "amount": "9500000.00"}', target.pk])
    report = audit_verify_chain(key)
    assert not report.ok
    assert (report.first_bad_seq, report.first_bad_id) == (4, target.pk)
    assert "changed" in report.reason


def test_removed_entry_is_found(chain):
    city, key = chain
    raw("DELETE FROM core_auditentry WHERE chain = %s AND seq = 3", [key])
    report = audit_verify_chain(key)
    assert not report.ok and report.first_bad_seq == 4


def test_removed_last_entry_is_found(chain):
    city, key = chain
    raw("DELETE FROM core_auditentry WHERE chain = %s AND seq = 6", [key])
    report = audit_verify_chain(key)
    assert not report.ok and "removed from the end" in report.reason


def test_rewritten_chain_with_fresh_hashes_still_breaks_at_the_head(chain):
    """Someone who recomputes the hash of a changed entry breaks the link to the next one."""
    from kotapintar.core.services.audit import entry_hash

    city, key = chain
    entry = AuditEntry.objects.get(chain=key, seq=2)
    entry.data = {"i": 99}
    new_hash = entry_hash(entry)
    raw("UPDATE core_auditentry SET data = %s, hash = %s WHERE id = %s", ['{"i": 99}', new_hash, entry.pk])
    report = audit_verify_chain(key)
    assert not report.ok and report.first_bad_seq == 3 and "link" in report.reason


def test_orm_cannot_update_or_delete(chain):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(action="test.step").update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_chains_are_per_city(db):
    bandung, manado = make_city("32.73", "bandung"), make_city("71.71", "manado")
    audit_record(city=bandung, actor="a", action="x")
    audit_record(city=manado, actor="a", action="y")
    heads = dict(AuditChain.objects.values_list("key", "seq"))
    assert heads[f"city:{bandung.pk}"] == 2 and heads[f"city:{manado.pk}"] == 2
    assert all(r.ok for r in audit_verify())


def test_verify_command_names_the_first_tampered_entry(chain, capsys):
    city, key = chain
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    target = AuditEntry.objects.get(chain=key, seq=5)
    raw("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.forged", target.pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"TAMPERED  {key} ({city.slug}): first bad entry seq 5 (id {target.pk})" in out


def test_chain_survives_a_json_export_and_import(chain, tmp_path):
    """Backups with `kotapintar dumpdata` (JSON keeps milliseconds) must still verify after loading."""
    city, key = chain
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "core.auditentry", "core.auditchain", output=str(dump))
    raw("DELETE FROM core_auditentry", [])
    raw("DELETE FROM core_auditchain", [])
    call_command("loaddata", str(dump), verbosity=0)
    assert audit_verify_chain(key).ok


def test_deleting_a_user_does_not_look_like_tampering(db, capsys):
    from kotapintar.core.testing import make_user

    city = make_city()
    user = make_user("petugas")
    audit_record(city=city, actor=user, action="test.step", data={"i": 1})
    audit_record(city=city, actor="tester", action="test.step", data={"i": 2})
    user.delete()
    entry = AuditEntry.objects.get(action="test.step", data__i=1)
    assert entry.actor is None and entry.actor_label == "petugas"
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_city_whose_whole_chain_was_removed_is_reported(db, capsys):
    bandung, manado = make_city("32.73", "bandung"), make_city("71.71", "manado")
    audit_record(city=bandung, actor="a", action="x")
    raw("DELETE FROM core_auditentry WHERE chain = %s", [f"city:{manado.pk}"])
    raw("DELETE FROM core_auditchain WHERE key = %s", [f"city:{manado.pk}"])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"TAMPERED  city:{manado.pk} (manado)" in out and "whole chain was removed" in out
    assert f"OK        city:{bandung.pk} (bandung)" in out
