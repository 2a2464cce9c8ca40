"""The permit PDF and its PAdES signature, checked with pyHanko's validator and with poppler's tools.

Needs the Debian packages poppler-utils (pdfsig, pdftotext, pdftoppm), libnss3-tools (certutil, to
give pdfsig a trust store) and zbar-tools (zbarimg, to read the QR code back); without them those
tests are skipped locally and fail in CI (`kotapintar.testservices.missing`).
"""

import dataclasses
import datetime as dt
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from kotapintar.core.formatting import terbilang
from kotapintar.core.testing import make_city
from kotapintar.permits import signing
from kotapintar.permits.pdf import PermitDocument, render_permit_pdf, tanggal
from kotapintar.permits.signing import city_signing_identity, sign_pdf, trust_root_pem, verify_pdf
from kotapintar.testservices import missing

pytestmark = pytest.mark.django_db

URL = "https://kotapintar.example.id/{slug}/izin/verifikasi/9f3c2a7e41b84d0c8a5e6f1b2c3d4e5f"
FEE = Decimal("1250000")


def permit_document(city, **changes) -> PermitDocument:
    doc = PermitDocument(
        city_name=city.name, province_name=city.province_name,
        department_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", city_color=city.primary_color,
        title="Persetujuan Bangunan Gedung (PBG)", number="503/0001/DPMPTSP/2026",
        holder_name="Budi Santoso", holder_id_masked="327301********02",
        fields=[("Lokasi", "Jl. Wastukencana No. 2, Kelurahan Babakan Ciamis, Kecamatan Sumur Bandung"),
                ("Fungsi bangunan", "Hunian — rumah tinggal tunggal"), ("Luas bangunan", "120 m²")],
        body="Pemerintah memberikan “Persetujuan Bangunan Gedung” kepada pemegang izin tersebut di atas.",
        issued_at=dt.datetime(2026, 3, 12, 2, 15, tzinfo=dt.UTC), timezone=city.timezone,
        valid_until=dt.date(2031, 3, 12), fee=FEE, verification_url=URL.format(slug=city.slug),
        signer_name="Dra. Siti Rahmawati, M.Si.", signer_title="Kepala Dinas Penanaman Modal dan PTSP",
    )
    return dataclasses.replace(doc, **changes)


def issue(city, **changes) -> bytes:
    doc = permit_document(city, **changes)
    return sign_pdf(render_permit_pdf(doc), city=city, signer_name=doc.signer_name,
                    reason=f"{doc.title} {doc.number}", location=city.name)


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} ({package}) not installed")
    return path


def write(tmp_path: Path, pdf: bytes, name: str = "permit.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdf_text(tmp_path: Path, pdf: bytes) -> str:
    pdftotext = tool("pdftotext", "poppler-utils")
    result = subprocess.run([pdftotext, "-enc", "UTF-8", str(write(tmp_path, pdf)), "-"], capture_output=True,
                            check=True, text=True)
    return result.stdout


@pytest.fixture
def bandung():
    return make_city("32.73", slug="bandung")


@pytest.fixture
def manado():
    return make_city("71.71", slug="manado")


@pytest.fixture
def signed(bandung) -> bytes:
    return issue(bandung)


# (a) pyHanko's validator ---------------------------------------------------------------------


def test_pyhanko_validates_the_signature_against_the_city_trust_root(bandung, signed):
    roots = list(load_certs_from_pemder_data(trust_root_pem(bandung)))
    assert [r.subject.native["common_name"] for r in roots] == [signing.DEV_CA_COMMON_NAME]
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    status = validate_pdf_signature(embedded[0], signer_validation_context=ValidationContext(trust_roots=roots))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.md_algorithm == "sha256"
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Kota Bandung — Penandatangan Izin"

    check = verify_pdf(signed, city=bandung)
    assert (check.signed, check.intact, check.valid, check.problem) == (True, True, True, "")
    assert check.signer_common_name == "Kota Bandung — Penandatangan Izin"
    assert abs(check.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_signature_metadata_names_the_official_reason_and_place(signed):
    sig = PdfFileReader(BytesIO(signed)).embedded_signatures[0].sig_object
    assert sig["/Name"] == "Dra. Siti Rahmawati, M.Si."
    assert sig["/Reason"] == "Persetujuan Bangunan Gedung (PBG) 503/0001/DPMPTSP/2026"
    assert sig["/Location"] == "Kota Bandung"


def test_an_untrusted_root_makes_it_invalid(bandung, signed, settings, tmp_path):
    """The same PDF checked against another installation's development CA is intact but not valid."""
    settings.DATA_DIR = tmp_path / "other-installation"
    check = verify_pdf(signed, city=bandung)
    assert check.signed and check.intact and not check.valid
    assert "trust root" in check.problem


# (b) poppler's pdfsig ------------------------------------------------------------------------


def test_pdfsig_reports_a_valid_signature_and_the_signer(tmp_path, signed):
    pdfsig = tool("pdfsig", "poppler-utils")
    out = subprocess.run([pdfsig, str(write(tmp_path, signed))], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Signer Certificate Common Name: Kota Bandung — Penandatangan Izin" in out, out
    assert "Signing Hash Algorithm: SHA-256" in out, out
    assert "Signature Type: ETSI.CAdES.detached" in out, out
    assert "Total document signed" in out, out


def test_pdfsig_trusts_the_certificate_given_the_city_root(tmp_path, bandung, signed):
    pdfsig = tool("pdfsig", "poppler-utils")
    certutil = tool("certutil", "libnss3-tools")
    nss = tmp_path / "nssdb"
    nss.mkdir()
    root = tmp_path / "root.pem"
    root.write_bytes(trust_root_pem(bandung))
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "kota-pintar-root", "-t", "C,C,C", "-i", str(root)],
                   check=True, capture_output=True)
    out = subprocess.run([pdfsig, "-nssdir", f"sql:{nss}", str(write(tmp_path, signed))], capture_output=True,
                         text=True).stdout
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Certificate Validation: Certificate is Trusted." in out, out


# (c) tampering -------------------------------------------------------------------------------


def test_changing_one_signed_byte_breaks_the_signature(tmp_path, bandung, signed):
    # A byte inside the first page's compressed content stream: the file still parses, the digest differs.
    start = signed.index(b"stream\n", 200) + len(b"stream\n") + 40
    assert start < PdfFileReader(BytesIO(signed)).embedded_signatures[0].sig_object["/ByteRange"][1]
    tampered = bytearray(signed)
    tampered[start] ^= 0x01
    check = verify_pdf(bytes(tampered), city=bandung)
    assert check.signed and not check.intact and not check.valid
    assert "changed" in check.problem

    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(write(tmp_path, bytes(tampered)))], capture_output=True, text=True).stdout
        assert "Signature is Valid" not in out, out


def test_content_added_after_signing_is_not_valid(bandung, signed):
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 100 400 300 60 re f Q"))
    writer.add_stream_to_page(0, overlay)
    out = BytesIO()
    writer.write(out)
    check = verify_pdf(out.getvalue(), city=bandung)
    assert check.signed and check.intact and not check.valid
    assert "modified after signing" in check.problem


def test_garbage_and_unsigned_pdfs_are_answers_not_errors(bandung):
    garbage = verify_pdf(b"not a pdf", city=bandung)
    assert (garbage.signed, garbage.intact, garbage.valid) == (False, False, False) and garbage.problem
    unsigned = verify_pdf(render_permit_pdf(permit_document(bandung)), city=bandung)
    assert (unsigned.signed, unsigned.valid, unsigned.problem) == (False, False, "the PDF carries no signature")


# (d) one development CA, one certificate per city --------------------------------------------


def test_each_city_signs_with_its_own_certificate(bandung, manado):
    from_bandung, from_manado = issue(bandung), issue(manado)
    assert verify_pdf(from_manado, city=manado).signer_common_name == "Kota Manado — Penandatangan Izin"
    # One development CA per installation: Manado's root accepts Bandung's signature, which names Bandung.
    assert trust_root_pem(bandung) == trust_root_pem(manado)
    check = verify_pdf(from_bandung, city=manado)
    assert check.valid and check.signer_common_name == "Kota Bandung — Penandatangan Izin"

    ids = city_signing_identity(bandung), city_signing_identity(manado)
    assert ids[0].certificate.public_key.dump() != ids[1].certificate.public_key.dump()
    assert ids[1].certificate.subject.native["organization_name"] == "Kota Manado"
    cert = x509.load_der_x509_certificate(ids[1].certificate.dump())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


def test_a_configured_p12_is_used_with_its_own_chain(settings, tmp_path, monkeypatch, bandung, signed):
    """A real certificate (as BSrE would issue) replaces the development one, and only its chain is trusted."""
    settings.DATA_DIR = tmp_path
    (tmp_path / "pki").mkdir()
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA BSrE")])
    now = dt.datetime.now(dt.UTC)
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Siti Rahmawati")]))
            .issuer_name(root_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    (tmp_path / "pki" / "bandung.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"tte", key, leaf, [root], serialization.BestAvailableEncryption(b"rahasia")))

    monkeypatch.delenv("KOTAPINTAR_SIGNING_PASSPHRASE_BANDUNG", raising=False)
    with pytest.raises(ImproperlyConfigured, match="KOTAPINTAR_SIGNING_PASSPHRASE_BANDUNG"):
        city_signing_identity(bandung)
    monkeypatch.setenv("KOTAPINTAR_SIGNING_PASSPHRASE_BANDUNG", "rahasia")

    identity = city_signing_identity(bandung)
    assert identity.source == "pkcs12" and identity.common_name == "Siti Rahmawati"
    assert [r.subject.native["common_name"] for r in load_certs_from_pemder_data(trust_root_pem(bandung))] == [
        "Test Root CA BSrE"]
    check = verify_pdf(issue(bandung), city=bandung)
    assert check.valid and check.signer_common_name == "Siti Rahmawati"
    # A PDF signed with the development CA is not trusted by the real chain.
    assert not verify_pdf(signed, city=bandung).valid
    assert not (tmp_path / "pki" / "bandung.key.pem").exists()


# (e) what the permit says --------------------------------------------------------------------


def test_the_text_carries_number_holder_fee_in_words_and_url(tmp_path, manado):
    text = pdf_text(tmp_path, issue(manado))
    flat = " ".join(text.split())
    assert "PEMERINTAH KOTA MANADO" in flat
    assert "PERSETUJUAN BANGUNAN GEDUNG (PBG)" in flat
    assert "Nomor: 503/0001/DPMPTSP/2026" in flat
    assert "Budi Santoso" in flat and "327301********02" in flat
    assert "120 m²" in flat and "Hunian — rumah tinggal tunggal" in flat and "“Persetujuan Bangunan Gedung”" in flat
    assert "Rp 1.250.000" in flat
    assert terbilang(FEE) == "satu juta dua ratus lima puluh ribu rupiah"
    assert f"({terbilang(FEE)})" in flat
    assert "12 Maret 2031" in flat  # valid until
    assert "Ditetapkan di Manado" in flat and "pada tanggal 12 Maret 2026" in flat
    assert "pukul 10.15 WITA" in flat  # 02:15 UTC in Asia/Makassar
    assert "Ditandatangani secara elektronik" in flat and "Dra. Siti Rahmawati, M.Si." in flat
    assert URL.format(slug="manado") in "".join(text.split())  # the printed URL may wrap


def test_free_permit_without_expiry_and_time_zone_labels(tmp_path, bandung):
    doc = permit_document(bandung, fee=None, valid_until=None, timezone="Asia/Jayapura")
    flat = " ".join(pdf_text(tmp_path, render_permit_pdf(doc)).split())
    assert "Retribusi" not in flat and "rupiah" not in flat
    assert "Tidak dibatasi waktu" in flat
    assert "pukul 11.15 WIT" in flat
    assert tanggal(dt.date(2026, 8, 17)) == "17 Agustus 2026"


def test_long_permits_flow_onto_more_pages_with_the_signature_block_whole(tmp_path, bandung):
    doc = permit_document(bandung, fields=[(f"Rincian {i}", "Nilai yang cukup panjang " * 3) for i in range(25)],
                          body="Paragraf ketentuan izin. " * 60, city_color="#f1c232")
    pdf = render_permit_pdf(doc)
    pages = PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"]
    assert pages >= 2
    pdftotext = tool("pdftotext", "poppler-utils")
    last = subprocess.run([pdftotext, "-f", str(pages), "-l", str(pages), str(write(tmp_path, pdf)), "-"],
                          capture_output=True, text=True, check=True).stdout
    for part in ("Ditetapkan di Bandung", "Ditandatangani secara elektronik", "Dra. Siti Rahmawati",
                 "Pindai untuk memeriksa keaslian", f"Halaman {pages} dari {pages}"):
        assert part in last


def test_a_city_logo_is_placed_in_the_letterhead(bandung):
    from PIL import Image

    logo = BytesIO()
    Image.new("RGB", (120, 140), (200, 160, 20)).save(logo, "PNG")
    plain = render_permit_pdf(permit_document(bandung))
    with_logo = render_permit_pdf(permit_document(bandung, logo=logo.getvalue()))
    assert b"/Subtype /Image" not in plain and b"/Subtype /Image" in with_logo


# (f) the QR code -----------------------------------------------------------------------------


def test_the_qr_code_decodes_to_the_verification_url(tmp_path, signed):
    pdftoppm = tool("pdftoppm", "poppler-utils")
    zbarimg = tool("zbarimg", "zbar-tools")
    subprocess.run([pdftoppm, "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
                    str(write(tmp_path, signed)), str(tmp_path / "page")], check=True)
    out = subprocess.run([zbarimg, "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True)
    assert out.stdout.strip() == URL.format(slug="bandung")


# (g) keys ------------------------------------------------------------------------------------


def test_keys_are_reused_and_private(settings, bandung, signed):
    pki = Path(settings.DATA_DIR) / "pki"
    files = [pki / "dev-ca.key.pem", pki / "dev-ca.cert.pem", pki / "bandung.key.pem", pki / "bandung.cert.pem"]
    before = {f: (f.stat().st_ino, f.stat().st_mtime_ns, f.read_bytes()) for f in files}
    first = city_signing_identity(bandung)
    signing._cache.clear()  # as a new process would
    again = city_signing_identity(bandung)
    issue(bandung)
    assert first.certificate.dump() == again.certificate.dump()
    assert {f: (f.stat().st_ino, f.stat().st_mtime_ns, f.read_bytes()) for f in files} == before
    for key in (pki / "dev-ca.key.pem", pki / "bandung.key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(pki.stat().st_mode) & 0o077 == 0
    ca = x509.load_pem_x509_certificate((pki / "dev-ca.cert.pem").read_bytes())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == signing.DEV_CA_COMMON_NAME
    assert ca.public_key().key_size >= 3072


def test_a_missing_certificate_is_reissued_for_the_existing_key(settings, bandung, signed):
    pki = Path(settings.DATA_DIR) / "pki"
    key = (pki / "bandung.key.pem").read_bytes()
    (pki / "bandung.cert.pem").unlink()
    identity = city_signing_identity(bandung)
    assert (pki / "bandung.key.pem").read_bytes() == key
    assert identity.common_name == "Kota Bandung — Penandatangan Izin"
    assert verify_pdf(signed, city=bandung).valid  # earlier documents still validate


def test_processes_starting_at_once_share_one_ca_and_one_key(tmp_path):
    """Four processes create the development PKI for the same city at the same moment."""
    script = textwrap.dedent(f"""
        import sys, types, django
        from django.conf import settings
        settings.configure(DATA_DIR={str(tmp_path)!r})
        django.setup()
        from kotapintar.permits.signing import city_signing_identity
        sys.stdin.read()  # start together
        city = types.SimpleNamespace(slug="bandung", name="Kota Bandung", province_name="Jawa Barat")
        identity = city_signing_identity(city)
        print(identity.certificate.sha256.hex(), identity.trust_roots[0].sha256.hex())
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    results = [p.communicate("", timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    assert len({out for out, _ in results}) == 1, results
    pki = tmp_path / "pki"
    assert sorted(p.name for p in pki.iterdir() if not p.name.startswith(".")) == [
        "bandung.cert.pem", "bandung.key.pem", "dev-ca.cert.pem", "dev-ca.key.pem"]
    assert not [p for p in pki.iterdir() if p.name.startswith(".") and p.name != ".lock"]  # no temp files left
    assert re.fullmatch(r"[0-9a-f]{64} [0-9a-f]{64}\n", results[0][0])
