"""Bandung's four demo permit types (PBG, reklame, izin keramaian, SIP), its licensing officials and
applications in every state.

The workflows use the permits module's state and action names, whose words the module declares
(permits/workflow.py); Bandung names only the states whose meaning differs between its permit types."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from kotapintar.core.models import Department
from kotapintar.core.services.users import membership_create
from kotapintar.core.services.workflow import workflow_definition_create
from kotapintar.permits.models import PermitApplication, PermitType
from kotapintar.permits.services.types import permit_type_save

V, INSP, H, A = "permit_verifier", "permit_inspector", "permit_head", "applicant"
ISSUED = {"state": "issued", "terminal": True}
REJECTED = {"state": "rejected", "terminal": True}
RETURNED = {"state": "returned", "actions": [{"action": "resubmit", "to": "submitted", "roles": [A]}]}
DRAFT = {"state": "draft", "start": True, "actions": [{"action": "submit", "to": "submitted", "roles": [A]}]}
PAYMENT = {"state": "awaiting_payment", "actions": [{"action": "pay", "to": "issued", "roles": ["system"]}]}


def submitted(to: str, sla: int = 2) -> dict:
    return {"state": "submitted", "sla_days": sla, "escalate_to": H, "actions": [
        {"action": "verify", "to": to, "roles": [V]},
        {"action": "return", "to": "returned", "roles": [V], "comment_required": True},
        {"action": "reject", "to": "rejected", "roles": [V], "comment_required": True},
    ]}


def decision(state: str, label: str, approve_to: str, sla: int, deemed: bool = False) -> dict:
    config = {"state": state, "label": label, "sla_days": sla, "escalate_to": H, "actions": [
        {"action": "approve", "to": approve_to, "roles": [H]},
        {"action": "reject", "to": "rejected", "roles": [H], "comment_required": True},
    ]}
    if deemed:
        config["deemed_action"] = "approve"
    return config


WORKFLOWS = {
    "pbg": [DRAFT, submitted("verified"), RETURNED,
            {"state": "verified", "label": "Pemeriksaan teknis", "sla_days": 5, "escalate_to": H, "actions": [
                {"action": "inspect", "to": "inspected", "roles": [INSP]},
                {"action": "return", "to": "returned", "roles": [INSP], "comment_required": True}]},
            decision("inspected", "Keputusan kepala dinas", "awaiting_payment", 3), PAYMENT, ISSUED, REJECTED],
    "reklame": [DRAFT, submitted("verified"), RETURNED,
                decision("verified", "Keputusan kepala dinas", "awaiting_payment", 3), PAYMENT, ISSUED, REJECTED],
    "keramaian": [DRAFT, submitted("verified"), RETURNED,
                  decision("verified", "Keputusan kepala dinas", "issued", 3, deemed=True), ISSUED, REJECTED],
    "sip": [DRAFT, submitted("verified"), RETURNED,
            decision("verified", "Keputusan kepala dinas", "issued", 3), ISSUED, REJECTED],
}

KTP = {"key": "ktp", "label": "KTP pemohon", "types": ["pdf", "jpeg", "png"], "max_kb": 2048}
TYPES = [
    dict(code="pbg", name="Persetujuan Bangunan Gedung (PBG)", sla_days=10, validity_days=None,
         description="Persetujuan untuk membangun baru, mengubah, memperluas atau merawat bangunan gedung.",
         fee_formula="luas_bangunan * indeks_lokasi * 10000",
         fee_description="Retribusi = luas bangunan (m²) × indeks lokasi × Rp10.000",
         number_format="503/{seq}/PBG/{code}/{year}",
         certificate_template="Diberikan persetujuan bangunan gedung untuk {fungsi_bangunan} seluas "
                              "{luas_bangunan} m² di {alamat_bangunan}.",
         form_schema=[
             {"name": "alamat_bangunan", "label": "Alamat bangunan", "type": "text", "required": True},
             {"name": "lokasi", "label": "Titik lokasi", "type": "location", "required": True},
             {"name": "fungsi_bangunan", "label": "Fungsi bangunan", "type": "choice", "required": True,
              "choices": ["hunian", "usaha", "sosial budaya", "campuran"]},
             {"name": "luas_bangunan", "label": "Luas bangunan (m²)", "type": "number", "required": True,
              "min": 1, "max": 100000},
             {"name": "jumlah_lantai", "label": "Jumlah lantai", "type": "number", "required": True, "min": 1,
              "max": 100},
             {"name": "indeks_lokasi", "label": "Indeks lokasi", "type": "number", "required": True, "min": 0.5,
              "max": 3},
         ],
         documents=[KTP,
                    {"key": "kkpr", "label": "KKPR (kesesuaian kegiatan pemanfaatan ruang)", "types": ["pdf"]},
                    {"key": "sertifikat_tanah", "label": "Sertifikat tanah", "types": ["pdf"]},
                    {"key": "gambar_teknis", "label": "Gambar teknis", "types": ["pdf"], "max_kb": 10240},
                    {"key": "perhitungan_struktur", "label": "Perhitungan struktur", "types": ["pdf"],
                     "required": False}]),
    dict(code="reklame", name="Izin Penyelenggaraan Reklame", sla_days=5, validity_days=365,
         description="Izin memasang reklame (papan, baliho, billboard) di wilayah kota.",
         fee_formula="luas_reklame * lama_hari * 2500",
         fee_description="Retribusi = luas reklame (m²) × lama pemasangan (hari) × Rp2.500",
         number_format="503/{seq}/REK/{code}/{year}",
         certificate_template="Diberikan izin penyelenggaraan reklame berukuran {luas_reklame} m² "
                              "di {lokasi_reklame} selama {lama_hari} hari.",
         form_schema=[
             {"name": "lokasi_reklame", "label": "Lokasi reklame", "type": "text", "required": True},
             {"name": "titik", "label": "Titik lokasi", "type": "location", "required": True},
             {"name": "luas_reklame", "label": "Luas reklame (m²)", "type": "number", "required": True, "min": 0.5,
              "max": 500},
             {"name": "lama_hari", "label": "Lama pemasangan (hari)", "type": "number", "required": True, "min": 1,
              "max": 365},
             {"name": "naskah", "label": "Naskah reklame", "type": "text", "required": True},
         ],
         documents=[KTP, {"key": "nib", "label": "NIB", "types": ["pdf"]},
                    {"key": "npwp", "label": "NPWP", "types": ["pdf", "jpeg", "png"]},
                    {"key": "persetujuan_pemilik", "label": "Persetujuan pemilik lahan", "types": ["pdf"]},
                    {"key": "foto_lokasi", "label": "Foto lokasi", "types": ["jpeg", "png"]},
                    {"key": "desain", "label": "Desain reklame", "types": ["pdf", "jpeg", "png"]}]),
    dict(code="keramaian", name="Izin Keramaian", sla_days=5, validity_days=30,
         description="Izin menyelenggarakan acara yang mengundang keramaian. Gratis. Bila keputusan tidak "
                     "diberikan dalam waktu layanan, izin dianggap dikabulkan (fiktif positif).",
         fee_formula="", fee_description="Gratis",
         number_format="503/{seq}/KRM/{code}/{year}",
         certificate_template="Diberikan izin keramaian untuk acara {nama_acara} pada {tanggal_acara} "
                              "di {tempat_acara}.",
         form_schema=[
             {"name": "nama_acara", "label": "Nama acara", "type": "text", "required": True},
             {"name": "tanggal_acara", "label": "Tanggal acara", "type": "date", "required": True},
             {"name": "tempat_acara", "label": "Tempat acara", "type": "text", "required": True},
             {"name": "perkiraan_peserta", "label": "Perkiraan peserta", "type": "number", "required": True,
              "min": 1},
         ],
         documents=[KTP, {"key": "rekomendasi_polsek", "label": "Rekomendasi Polsek", "types": ["pdf"],
                          "required": False}]),
    dict(code="sip", name="Surat Izin Praktik (SIP) Tenaga Kesehatan", sla_days=5, validity_days=365 * 5,
         description="Izin praktik bagi dokter, dokter gigi, bidan, perawat dan tenaga kesehatan lain.",
         fee_formula="", fee_description="Gratis",
         number_format="503/{seq}/SIP/{code}/{year}",
         certificate_template="Diberikan Surat Izin Praktik sebagai {profesi} di {tempat_praktik} "
                              "dengan STR nomor {nomor_str}.",
         form_schema=[
             {"name": "profesi", "label": "Profesi", "type": "choice", "required": True,
              "choices": ["dokter", "dokter gigi", "bidan", "perawat", "apoteker"]},
             {"name": "nomor_str", "label": "Nomor STR", "type": "text", "required": True},
             {"name": "tempat_praktik", "label": "Tempat praktik", "type": "text", "required": True},
         ],
         documents=[KTP, {"key": "str", "label": "STR (surat tanda registrasi)", "types": ["pdf"]},
                    {"key": "rekomendasi_organisasi", "label": "Rekomendasi organisasi profesi", "types": ["pdf"]}]),
]


def install_standard_types(city, actor=None) -> dict[str, PermitType]:
    """The four standard permit types of the demo, for any city (also used by tests)."""
    department = Department.objects.filter(city=city, code="DPMPTSP").first() or Department.objects.create(
        city=city, code="DPMPTSP", short_name="DPMPTSP",
        name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu")
    result = {}
    for spec in TYPES:
        existing = PermitType.objects.filter(city=city, code=spec["code"]).first()
        if existing:
            result[spec["code"]] = existing
            continue
        workflow = workflow_definition_create(city=city, key=f"permit-{spec['code']}", name=spec["name"],
                                              definition={"states": WORKFLOWS[spec["code"]]}, actor=actor)
        fields = {k: v for k, v in spec.items() if k != "code"}
        result[spec["code"]] = permit_type_save(city=city, actor=actor, code=spec["code"], department=department,
                                                workflow=workflow, **fields)
    return result


def sample_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("dokumen.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def sample_png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue())


SAMPLE_DATA = {
    "pbg": {"alamat_bangunan": "Jl. Dago No. 12, Coblong", "lokasi": "-6.8915,107.6107",
            "fungsi_bangunan": "hunian", "luas_bangunan": "120", "jumlah_lantai": "2", "indeks_lokasi": "1.5"},
    "reklame": {"lokasi_reklame": "Jl. Asia Afrika, depan Gedung Merdeka", "titik": "-6.9213,107.6097",
                "luas_reklame": "8", "lama_hari": "30", "naskah": "Festival Kuliner Bandung"},
    "keramaian": {"nama_acara": "Konser Amal Taman Musik", "tanggal_acara": "2026-12-20",
                  "tempat_acara": "Taman Musik Centrum", "perkiraan_peserta": "800"},
    "sip": {"profesi": "bidan", "nomor_str": "STR-3273-0099-2026", "tempat_praktik": "Klinik Sehat Cibeunying"},
}


def fill_application(permit_type: PermitType, applicant) -> PermitApplication:
    """A complete draft with sample data and every required document."""
    from kotapintar.permits.services.applications import application_create, application_document_add

    application = application_create(permit_type=permit_type, applicant=applicant,
                                     data=SAMPLE_DATA[permit_type.code])
    for requirement in permit_type.documents:
        upload = sample_pdf() if "pdf" in requirement.get("types", ["pdf"]) else sample_png()
        application_document_add(application=application, actor=applicant, key=requirement["key"], file=upload)
    return application


def load_demo(city, accounts) -> None:
    """Bandung gets the four types, officials and one application in every state."""
    from kotapintar.core.demo import account
    from kotapintar.permits.services import applications as svc
    from kotapintar.permits.services.issuance import Invoice
    from kotapintar.permits.services.payments import (
        demo_bank_enabled,
        payment_callback_process,
        simulated_bank_callback,
    )

    if city.slug != "bandung":
        return
    dept = Department.objects.get(city=city, code="DPMPTSP")
    people = {}
    for username, role, name, label in [
        ("verifikator.bandung", V, "Dewi Lestari", "permit verifier"),
        ("teknis.bandung", INSP, "Agus Prasetyo", "technical inspector"),
        ("kepala.dpmptsp.bandung", H, "Ir. Budi Santoso, M.T.", "head of DPMPTSP (signs permits)"),
    ]:
        people[role] = account(username, full_name=name, email=f"{username}@bandung.example.id")
        membership_create(user=people[role], city=city, role=role, department=dept, actor=None)
        accounts.append((username, "kotapintar-demo", f"{label}, Kota Bandung"))
    if PermitType.objects.filter(city=city).exists():
        return
    types = install_standard_types(city)
    warga = account("warga", full_name="Siti Rahmawati", email="warga@example.id")

    def run(code, *steps):
        application = fill_application(types[code], warga)
        for step in steps:
            application = step(application)
        return application

    def submit(a):
        return svc.application_submit(application=a, actor=warga)

    def act(action, role, **extra):
        return lambda a: svc.application_act(application=a, actor=people[role], action=action, **extra)

    def pay(a):
        if not demo_bank_enabled():  # production: no simulated bank, the bill stays open
            return a
        body, headers = simulated_bank_callback(Invoice.objects.get(application=a))
        payment_callback_process(city=city, gateway_name="simulated", body=body, headers=headers)
        return PermitApplication.objects.get(pk=a.pk)

    run("pbg")  # draft
    run("pbg", submit)  # submitted
    run("reklame", submit, act("return", V, comment="Foto lokasi kurang jelas, mohon unggah ulang.",
                               return_fields=["foto_lokasi"]))  # returned
    run("pbg", submit, act("verify", V))  # verified, waiting for inspection
    run("pbg", submit, act("verify", V), act("inspect", INSP))  # inspected, waiting for decision
    run("reklame", submit, act("verify", V), act("approve", H))  # awaiting payment
    run("reklame", submit, act("verify", V), act("approve", H), pay)  # issued after payment
    run("sip", submit, act("verify", V), act("approve", H))  # issued, free
    run("keramaian", submit, act("verify", V))  # waiting for decision (deemed approval on lapse)
    run("sip", submit, act("reject", V, comment="STR sudah tidak berlaku."))  # rejected
