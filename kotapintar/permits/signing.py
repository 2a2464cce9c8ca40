"""Electronic signatures (TTE) on issued permits: PAdES with pyHanko, one signing certificate per city.

Where the keys come from
------------------------
Everything lives in ``DATA_DIR/pki/`` (``settings.DATA_DIR``, env ``KOTAPINTAR_DATA_DIR``):

* **A real certificate** (e.g. one issued by BSrE/BSSN to the city's signing official): put the
  PKCS#12 file at ``DATA_DIR/pki/<city slug>.p12`` and its passphrase in the environment variable
  ``KOTAPINTAR_SIGNING_PASSPHRASE_<SLUG>``, where ``<SLUG>`` is the city slug in upper case with
  ``-`` replaced by ``_`` (Bandung: ``KOTAPINTAR_SIGNING_PASSPHRASE_BANDUNG``; a p12 without a
  passphrase needs no variable). The certificates inside the p12 are its chain: the self-signed
  one(s) among them (else the topmost issuer) are the trust root that ``verify_pdf`` checks against
  and that ``trust_root_pem`` offers for download. The p12 wins over any development key.
* **Otherwise, a development PKI** is generated on first use with the ``cryptography`` package:
  ``dev-ca.key.pem`` + ``dev-ca.cert.pem`` (RSA 3072, CN "Kota Pintar Development CA — NOT FOR
  PRODUCTION", one per installation) and, per city, ``<slug>.key.pem`` + ``<slug>.cert.pem``
  (RSA 3072, CN "<city name> — Penandatangan Izin", O = city name, key usage digitalSignature +
  nonRepudiation) issued by that CA. PDFs signed this way validate only for someone who trusts the
  development CA: fine for demos and tests, not a certified TTE.

Generation is safe when several processes start at once: it runs under an exclusive lock on
``DATA_DIR/pki/.lock``, every file is written to a temporary file and linked into place (never
overwriting), private keys get mode 0600 and the directory 0700. An existing key is never
regenerated; a missing or nearly expired *certificate* for an existing key is re-issued for the
same key, so documents signed earlier keep validating against the same CA.

What the signature is
---------------------
PAdES baseline B-B (``/SubFilter /ETSI.CAdES.detached``, SHA-256), an invisible approval signature
whose ``/Name`` is the signing official, with reason and location. No timestamp (B-T) or revocation
data (B-LT) is embedded: validation happens at the current time, so a document stays valid while
its signing certificate is. ``verify_pdf`` does not fetch CRLs/OCSP (the development PKI has none).

pyHanko's synchronous API runs its own event loop (``asyncio.run``): call these functions from
synchronous code (a normal Django view, a Celery task), not from inside a running event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

try:  # POSIX; on other systems generation relies on link-without-overwrite alone
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

logger = logging.getLogger(__name__)

DEV_CA_COMMON_NAME = "Kota Pintar Development CA — NOT FOR PRODUCTION"
SIGNER_CN_SUFFIX = "Penandatangan Izin"
SIGNATURE_FIELD = "Signature1"
RSA_KEY_SIZE = 3072
CA_VALIDITY = dt.timedelta(days=20 * 365)
SIGNER_VALIDITY = dt.timedelta(days=5 * 365)
RENEW_BEFORE = dt.timedelta(days=30)  # re-issue a certificate (same key) this long before it expires


@dataclass(frozen=True)
class SigningIdentity:
    """What a city signs with: pyHanko's signer, its certificate, the chain and the trust root(s)."""

    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate  # the signing certificate (asn1crypto, as pyHanko uses it)
    chain: tuple[asn1_x509.Certificate, ...]  # issuers of `certificate`, up to and including the root
    trust_roots: tuple[asn1_x509.Certificate, ...]  # what a verifier must trust
    source: str  # "development" or "pkcs12"

    @property
    def common_name(self) -> str:
        return self.certificate.subject.native.get("common_name", "")


@dataclass(frozen=True)
class SignatureCheck:
    """The result of `verify_pdf`.

    signed: the PDF carries at least one signature. intact: the signed bytes are unchanged (digest
    matches). valid: intact, cryptographically sound, chained to the city's trust root, and nothing
    but long-term-validation data was added after signing. problem: why not, in plain words ("" if
    valid)."""

    signed: bool
    intact: bool
    valid: bool
    signer_common_name: str = ""
    signed_at: dt.datetime | None = None
    problem: str = ""


# --- public API -------------------------------------------------------------------------------


def city_signing_identity(city) -> SigningIdentity:
    """The city's signing identity: its configured p12, else its development certificate (created on
    first use). Loaded once per process and reloaded when the files change."""
    pki = _pki_dir()
    p12 = pki / f"{city.slug}.p12"
    if p12.exists():
        return _cached(("p12", str(p12)), [p12], lambda: _load_pkcs12(city, p12))
    key_path, cert_path = pki / f"{city.slug}.key.pem", pki / f"{city.slug}.cert.pem"
    ca_key_path, ca_cert_path = pki / "dev-ca.key.pem", pki / "dev-ca.cert.pem"
    if not _fresh(cert_path) or not _fresh(ca_cert_path) or not key_path.exists():
        _ensure_development_pki(city, pki)
    return _cached(("dev", str(cert_path)), [key_path, cert_path, ca_key_path, ca_cert_path],
                   lambda: _load_development(key_path, cert_path, ca_cert_path))


def sign_pdf(pdf: bytes, *, city, signer_name: str, reason: str, location: str) -> bytes:
    """Sign `pdf` as PAdES B-B (SHA-256) with the city's identity; returns the signed PDF."""
    identity = city_signing_identity(city)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    output = BytesIO()
    signers.PdfSigner(meta, signer=identity.signer).sign_pdf(writer, output=output)
    return output.getvalue()


def verify_pdf(pdf: bytes, *, city) -> SignatureCheck:
    """Check every signature in `pdf` against the city's trust root. Never raises on bad input."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # a damaged file is an answer, not an error
        return SignatureCheck(signed=False, intact=False, valid=False, problem=f"unreadable PDF: {exc}")
    if not signatures:
        return SignatureCheck(signed=False, intact=False, valid=False, problem="the PDF carries no signature")

    roots = city_signing_identity(city).trust_roots
    first = None
    intact = valid = True
    problems = []
    for embedded in signatures:
        context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context)
        except Exception as exc:
            intact = valid = False
            problems.append(f"{embedded.field_name}: cannot be validated ({exc})")
            continue
        if first is None:
            first = status
        unmodified = status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
        intact = intact and status.intact
        ok = status.bottom_line and unmodified
        valid = valid and ok
        if not status.intact:
            problems.append(f"{embedded.field_name}: the signed content was changed")
        elif not status.valid:
            problems.append(f"{embedded.field_name}: the signature value is invalid")
        elif not status.trusted:
            problems.append(f"{embedded.field_name}: the signer's certificate does not chain to the city's trust "
                            f"root ({status.trust_problem_indic})")
        elif not ok:
            problems.append(f"{embedded.field_name}: the document was modified after signing")
    return SignatureCheck(
        signed=True,
        intact=intact,
        valid=valid and intact,
        signer_common_name=first.signing_cert.subject.native.get("common_name", "") if first else "",
        signed_at=first.signer_reported_dt if first else None,
        problem="; ".join(problems),
    )


def trust_root_pem(city) -> bytes:
    """The root certificate(s) a verifier must trust for this city's signatures, PEM."""
    return b"".join(asn1_pem.armor("CERTIFICATE", root.dump()) for root in city_signing_identity(city).trust_roots)


def passphrase_env_var(city) -> str:
    return "KOTAPINTAR_SIGNING_PASSPHRASE_" + city.slug.upper().replace("-", "_")


# --- loading ----------------------------------------------------------------------------------


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses the private key for every signature (twice per PDF: once to
    size the signature) and parsing checks an RSA key, ~100 ms for RSA 3072. This one keeps the
    parsed key; other mechanisms than RSA PKCS#1 v1.5 and ECDSA go through pyHanko's own code."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            return super().sign_raw(data, digest_algorithm)
        hash_algorithm = getattr(hashes, digest_algorithm.upper().replace("-", "_"), None)
        if hash_algorithm is not None:
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, rsa.RSAPrivateKey):
                return self._private_key.sign(data, padding.PKCS1v15(), hash_algorithm())
            if mechanism == "ecdsa" and isinstance(self._private_key, ec.EllipticCurvePrivateKey):
                return self._private_key.sign(data, ec.ECDSA(hash_algorithm()))
        return super().sign_raw(data, digest_algorithm)


def _signer(private_key, cert: asn1_x509.Certificate, others) -> _LoadedKeySigner:
    key_info = asn1_keys.PrivateKeyInfo.load(private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return _LoadedKeySigner(private_key=private_key, signing_cert=cert, signing_key=key_info,
                            cert_registry=SimpleCertificateStore.from_certs(list(others)))


_cache: dict[tuple[str, str], tuple[tuple, SigningIdentity]] = {}


def _cached(key, paths: list[Path], load) -> SigningIdentity:
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_ino) if p.exists() else (str(p), None, None)
                  for p in paths)
    hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    identity = load()
    _cache[key] = (stamp, identity)
    return identity


def _load_development(key_path: Path, cert_path: Path, ca_cert_path: Path) -> SigningIdentity:
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    cert = _to_asn1_cert(x509.load_pem_x509_certificate(cert_path.read_bytes()))
    ca = _to_asn1_cert(x509.load_pem_x509_certificate(ca_cert_path.read_bytes()))
    return SigningIdentity(signer=_signer(key, cert, [ca]), certificate=cert, chain=(ca,), trust_roots=(ca,),
                           source="development")


def _load_pkcs12(city, path: Path) -> SigningIdentity:
    env = passphrase_env_var(city)
    passphrase = os.environ.get(env)
    try:
        key, leaf, extra = pkcs12.load_key_and_certificates(
            path.read_bytes(), passphrase.encode() if passphrase is not None else None)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Cannot open the signing certificate {path} of {city}: wrong or missing passphrase in ${env}?") from exc
    if key is None or leaf is None:
        raise ImproperlyConfigured(f"{path} must hold the signing key and its certificate.")
    cert = _to_asn1_cert(leaf)
    others = [_to_asn1_cert(c) for c in extra]
    chain = _chain_of(cert, others)
    if not chain:
        logger.warning("%s holds no CA certificates: the signing certificate itself is the trust root.", path)
    roots = tuple(c for c in chain if _is_root(c)) or ((chain[-1] if chain else cert),)
    return SigningIdentity(signer=_signer(key, cert, others), certificate=cert, chain=tuple(chain),
                           trust_roots=roots, source="pkcs12")


def _chain_of(cert: asn1_x509.Certificate, pool: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    chain, current = [], cert
    while not _is_root(current):
        issuer = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _is_root(cert: asn1_x509.Certificate) -> bool:
    return cert.self_signed in ("yes", "maybe")  # asn1crypto answers "no", "maybe" or "yes"


def _to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# --- development PKI --------------------------------------------------------------------------


def _pki_dir() -> Path:
    pki = Path(settings.DATA_DIR) / "pki"
    pki.mkdir(mode=0o700, parents=True, exist_ok=True)
    return pki


def _fresh(cert_path: Path) -> bool:
    """The certificate exists and is not about to expire."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - RENEW_BEFORE > dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _locked(pki: Path):
    with open(pki / ".lock", "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_development_pki(city, pki: Path) -> None:
    with _locked(pki):  # re-check everything under the lock: another process may have done it
        ca_key = _key(pki / "dev-ca.key.pem")
        ca_cert_path = pki / "dev-ca.cert.pem"
        if not _fresh(ca_cert_path):
            _write(ca_cert_path, _pem(_issue_ca(ca_key)), mode=0o644, replace=True)
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        key = _key(pki / f"{city.slug}.key.pem")
        cert_path = pki / f"{city.slug}.cert.pem"
        if not _fresh(cert_path) or not _issued_by(cert_path, ca_cert, key):
            _write(cert_path, _pem(_issue_signer(city, key, ca_key, ca_cert)), mode=0o644, replace=True)


def _key(path: Path) -> rsa.RSAPrivateKey:
    """Load the key at `path`, generating it only if there is none."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
        _write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), mode=0o600, replace=False)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _issued_by(cert_path: Path, ca_cert: x509.Certificate, key) -> bool:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    same_key = cert.public_key().public_numbers() == key.public_key().public_numbers()
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return same_key


def _write(path: Path, data: bytes, *, mode: int, replace: bool) -> None:
    """Write via a temporary file in the same directory; keys are linked into place without ever
    overwriting (a key that appeared meanwhile wins), certificates replace the old file atomically."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca_name() -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kota Pintar"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_CA_COMMON_NAME),
    ])


def _issue_ca(ca_key) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    public = ca_key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_ca_name())
        .issuer_name(_ca_name())
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _issue_signer(city, key, ca_key, ca_cert: x509.Certificate) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, city.province_name or "Indonesia"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, city.name),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{city.name} — {SIGNER_CN_SUFFIX}"),
    ])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + SIGNER_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
