import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kotapintar.core.models import AuditEntry, Document, Notification
from kotapintar.core.services.documents import document_path, document_store
from kotapintar.core.services.notifications import notification_send
from kotapintar.core.testing import make_city, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def city(db):
    return make_city()


def test_pdf_is_stored_under_a_random_name(city):
    owner = make_user("warga")
    doc = document_store(city=city, uploaded_by=owner, file=SimpleUploadedFile("ktp.pdf", PDF), kind="ktp")
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
    path = document_path(doc)
    assert path.read_bytes() == PDF
    assert "ktp" not in path.name and len(path.name) == 40
    assert AuditEntry.objects.filter(action="document.upload", object_id=str(doc.pk)).exists()


def test_type_is_judged_by_content_not_name(city):
    with pytest.raises(ValidationError) as exc:
        document_store(city=city, uploaded_by=None, file=SimpleUploadedFile("surat.pdf", b"MZ\x90\x00" + b"\0" * 200))
    assert exc.value.code == "bad_type"
    doc = document_store(city=city, uploaded_by=None, file=SimpleUploadedFile("foto.pdf", png_bytes()))
    assert doc.content_type == "image/png"


def test_too_large_is_refused_and_nothing_written(city, settings):
    with pytest.raises(ValidationError) as exc:
        document_store(city=city, uploaded_by=None, file=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
                       max_bytes=1024)
    assert exc.value.code == "too_large"
    assert not Document.objects.exists()
    assert not any(settings.DOCUMENTS_ROOT.rglob("*")) if settings.DOCUMENTS_ROOT.exists() else True


@pytest.mark.parametrize("content", [b"%PDF-1.4 truncated without end", png_bytes()[:40]])
def test_malformed_is_refused(city, content):
    with pytest.raises(ValidationError) as exc:
        document_store(city=city, uploaded_by=None, file=SimpleUploadedFile("x.pdf", content))
    assert exc.value.code in {"malformed", "bad_type"}
    assert not Document.objects.exists()


def test_empty_file_is_refused(city):
    with pytest.raises(ValidationError, match="empty"):
        document_store(city=city, uploaded_by=None, file=SimpleUploadedFile("x.pdf", b""))


def test_download_is_checked(client, city):
    owner = make_user("warga")
    doc = document_store(city=city, uploaded_by=owner, file=SimpleUploadedFile("ktp.pdf", PDF))
    url = f"/documents/{doc.token}/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404
    manado = make_city("71.71", "manado")
    client.force_login(make_user("petugas.manado", city=manado, roles=["official"]))
    assert client.get(url).status_code == 404  # official of another city
    client.force_login(make_user("petugas", city=city, roles=["official"]))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_notification_is_sent_after_commit(city, mailoutbox, django_capture_on_commit_callbacks):
    user = make_user("warga")
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notification_send(user=user, city=city, subject="Izin terbit", body="Izin Anda sudah terbit.")
        assert mailoutbox == []  # nothing leaves before the transaction commits
    assert [m.subject for m in mailoutbox] == ["Izin terbit"]
    note.refresh_from_db()
    assert note.status == Notification.Status.SENT and note.sent_at is not None


def test_sms_goes_to_the_console_channel(city, django_capture_on_commit_callbacks, caplog):
    user = make_user("warga", phone="081234567890")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=user, city=city, subject="Kode", body="123", channel_names=("sms",))
    assert Notification.objects.get().status == "sent"
    assert "081234567890" in caplog.text


def test_failed_delivery_is_recorded(city, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "kotapintar.core.tests.test_documents_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=make_user("warga"), city=city, subject="x", body="y")
    note = Notification.objects.get()
    assert note.status == "failed" and "SMTP down" in note.error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
