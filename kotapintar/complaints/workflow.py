"""The default complaint workflow (LAPOR! and FixMyStreet states) on the core engine.

A city may save its own version (other SLAs, another escalation role) as long as it keeps these state
names, which the public pages, Open311 and the statistics read:

- `unconfirmed`: a report without an account waits for its e-mail confirmation (not public yet);
- `submitted` → verify within 3 working days; `verified` → answer within 5 working days;
- `in_progress`; `resolved` (the reporter may reopen until the window closes, then it is closed);
- `closed`, `rejected`, `not_our_authority` (forwarded with a reason), `duplicate` are final.
"""

VERIFIER, OFFICER, SUPERVISOR, REPORTER = "complaint_verifier", "complaint_officer", "complaint_supervisor", "reporter"
HANDLERS = [OFFICER, VERIFIER, SUPERVISOR]
# Who sees a report in full (reporter contact, internal notes): complaint officials and the city admin.
OFFICIALS = (*HANDLERS, "complaint_admin", "city_admin")
WORKFLOW_KEY = "complaint"

OPEN_STATES = ("submitted", "verified", "in_progress")
CLOSED_STATES = ("resolved", "closed", "rejected", "not_our_authority", "duplicate")
# LAPOR!'s colours: red = no response yet, yellow = being handled, green = followed up.
COLOURS = {"unconfirmed": "grey", "submitted": "red", "verified": "yellow", "in_progress": "yellow",
           "resolved": "green", "closed": "green", "rejected": "grey", "not_our_authority": "grey",
           "duplicate": "grey"}


def _forward(roles):
    return {"action": "forward", "label": "Teruskan (bukan kewenangan)", "to": "not_our_authority", "roles": roles,
            "comment_required": True}


def default_definition(*, verify_days: int = 3, answer_days: int = 5, work_days: int = 10,
                       reopen_days: int = 5) -> dict:
    return {"states": [
        {"state": "unconfirmed", "start": True, "label": "Menunggu konfirmasi pelapor", "actions": [
            {"action": "confirm", "label": "Konfirmasi", "to": "submitted", "roles": ["system"]}]},
        {"state": "submitted", "label": "Menunggu verifikasi", "sla_days": verify_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "verify", "label": "Verifikasi", "to": "verified", "roles": [VERIFIER, SUPERVISOR]},
             {"action": "reject", "label": "Tolak", "to": "rejected", "roles": [VERIFIER, SUPERVISOR],
              "comment_required": True},
             _forward([VERIFIER, SUPERVISOR]),
             {"action": "mark_duplicate", "label": "Duplikat", "to": "duplicate", "roles": [VERIFIER, SUPERVISOR]},
         ]},
        {"state": "verified", "label": "Diteruskan ke OPD", "sla_days": answer_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "start", "label": "Mulai tindak lanjut", "to": "in_progress", "roles": HANDLERS},
             {"action": "resolve", "label": "Selesai ditindaklanjuti", "to": "resolved", "roles": HANDLERS,
              "comment_required": True},
             _forward([VERIFIER, SUPERVISOR]),
             {"action": "mark_duplicate", "label": "Duplikat", "to": "duplicate", "roles": [VERIFIER, SUPERVISOR]},
         ]},
        {"state": "in_progress", "label": "Dalam proses", "sla_days": work_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "resolve", "label": "Selesai ditindaklanjuti", "to": "resolved", "roles": HANDLERS,
              "comment_required": True},
         ]},
        {"state": "resolved", "label": "Selesai, menunggu tanggapan pelapor", "sla_days": reopen_days,
         "deemed_action": "close", "deemed_comment": "Ditutup otomatis: masa pembukaan kembali berakhir.",
         "actions": [
             {"action": "close", "label": "Tutup", "to": "closed", "roles": [REPORTER, VERIFIER, SUPERVISOR]},
             {"action": "reopen", "label": "Buka kembali", "to": "in_progress", "roles": [REPORTER],
              "comment_required": True},
         ]},
        {"state": "closed", "terminal": True, "label": "Ditutup"},
        {"state": "rejected", "terminal": True, "label": "Ditolak"},
        {"state": "not_our_authority", "terminal": True, "label": "Diteruskan ke instansi berwenang"},
        {"state": "duplicate", "terminal": True, "label": "Duplikat"},
    ]}
