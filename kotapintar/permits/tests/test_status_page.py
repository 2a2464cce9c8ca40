"""The public status lookup is the full page a citizen sees, current at every request, and the page
layout (partly cached per city and language) still shows each visitor their own header."""

import pytest
from django.utils import translation

from kotapintar.core.testing import make_city, make_user, set_module
from kotapintar.permits.demo import fill_application, install_standard_types
from kotapintar.permits.models import PermitApplication, PermitType
from kotapintar.permits.services.applications import application_act, application_submit


@pytest.fixture
def bandung(db):
    city = make_city("32.73", "bandung")
    install_standard_types(city)
    return city


def submitted(city, code="sip"):
    permit_type = PermitType.objects.get(city=city, code=code)
    applicant = make_user(f"pemohon{PermitApplication.objects.count()}", full_name="Siti Pemohon")
    return application_submit(application=fill_application(permit_type, applicant), actor=applicant)


def status_page(client, application) -> str:
    response = client.get(f"/bandung/permits/status/?number={application.registration_number}")
    assert response.status_code == 200
    return response.content.decode()


def test_status_page_shows_the_application_in_the_full_layout(bandung, client):
    application = submitted(bandung)
    page = status_page(client, application)
    assert application.registration_number in page and application.permit_type.name in page
    assert "<strong>Verifikasi berkas</strong>" in page  # the state's label
    assert "Siti Pemohon" not in page and "pemohon" not in page  # nothing personal
    assert '<html lang="id">' in page and bandung.name in page
    assert 'href="/bandung/announcements/"' in page and 'href="/bandung/permits/"' in page  # the city's menu
    assert "Masuk" in page and "?next=/bandung/permits/status/" in page  # sign-in link back here
    assert 'action="/i18n/language/" method="get"' in page
    assert 'name="next" type="hidden" value="/bandung/permits/status/?number=' in page
    assert "API" in page and "Data wilayah" in page  # the footer


def test_status_changes_show_at_once(bandung, client):
    application = submitted(bandung)
    assert "<strong>Verifikasi berkas</strong>" in status_page(client, application)
    verifier = make_user("verif", city=bandung, roles=["permit_verifier"])
    application_act(application=application, actor=verifier, action="verify")
    assert "<strong>Keputusan kepala dinas</strong>" in status_page(client, application)


def test_a_renamed_permit_type_shows_at_once(bandung, client):
    application = submitted(bandung)
    assert application.permit_type.name in status_page(client, application)  # the names are cached now
    permit_type = application.permit_type
    permit_type.name = "Surat Izin Praktik Tenaga Kesehatan"
    permit_type.save()
    assert "Surat Izin Praktik Tenaga Kesehatan" in status_page(client, application)


def test_unknown_number(bandung, client):
    page = client.get("/bandung/permits/status/?number=3273-2099-999999").content.decode()
    assert "Tidak ada permohonan dengan nomor ini di kota ini." in page
    assert client.get("/bandung/permits/status/").status_code == 200


def test_anonymous_page_sets_no_csrf_cookie_and_forms_that_post_still_carry_the_token(bandung, client):
    application = submitted(bandung)
    response = client.get(f"/bandung/permits/status/?number={application.registration_number}")
    assert "csrftoken" not in response.cookies and "hx-headers" not in response.content.decode()
    login = client.get("/accounts/login/")
    assert 'name="csrfmiddlewaretoken"' in login.content.decode() and "csrftoken" in login.cookies


def test_signed_in_people_see_their_own_header(bandung, client):
    application = submitted(bandung)
    status_page(client, application)  # the anonymous header is cached now
    official = make_user("verif", city=bandung, roles=["permit_verifier"], full_name="Vera Verifikator")
    client.force_login(official)
    page = status_page(client, application)
    assert "Vera Verifikator" in page and "Area Petugas" in page and 'href="/bandung/office/"' in page
    assert 'name="csrfmiddlewaretoken"' in page and "hx-headers" in page and "X-CSRFToken" in page
    assert "?next=/bandung/permits/status/" not in page  # no sign-in link

    citizen = make_user("warga", full_name="Wati Warga")
    client.force_login(citizen)
    page = status_page(client, application)
    assert "Wati Warga" in page and "Area Petugas" not in page and "Vera Verifikator" not in page


def test_menu_follows_the_module_switches(bandung, client):
    application = submitted(bandung)
    assert 'href="/bandung/announcements/"' in status_page(client, application)
    set_module(bandung, "announcements", False)
    assert 'href="/bandung/announcements/"' not in status_page(client, application)
    set_module(bandung, "announcements", True)
    assert 'href="/bandung/announcements/"' in status_page(client, application)


def test_header_follows_the_city_name(bandung, client):
    from kotapintar.core.selectors import city_cache_clear

    application = submitted(bandung)
    assert "Kota Bandung Baru" not in status_page(client, application)
    bandung.name = "Kota Bandung Baru"
    bandung.save()
    city_cache_clear(bandung)
    assert "<strong>Kota Bandung Baru</strong>" in status_page(client, application)


def test_english_layout_after_switching(bandung, client):
    application = submitted(bandung)
    status_page(client, application)
    response = client.get("/i18n/language/", {"language": "en", "next": "/bandung/permits/status/?number=1"})
    assert response.status_code == 302 and response["Location"] == "/bandung/permits/status/?number=1"
    page = status_page(client, application)
    assert '<html lang="en">' in page and "Sign in" in page and "Region data" in page and "Masuk" not in page


def _anonymous_request(city, query: str):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get(f"/{city.slug}/permits/status/{query}")
    request.user, request.city, request.session = AnonymousUser(), city, SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("query", ["?number=3273-2026-000001", '?number="><script>alert(1)</script>&x=ä b', ""])
def test_the_layout_shell_gives_the_same_page_as_a_full_render(bandung, query):
    """render_public fills a cached layout; the page must be byte for byte what base.html renders."""
    from django.shortcuts import render
    from django.utils.safestring import mark_safe

    from kotapintar.core.layout import render_public

    content = mark_safe("<h1>Cek status permohonan</h1>")
    with translation.override("id"):
        for _ in range(2):  # the first builds the shell, the second uses it
            fast = render_public(_anonymous_request(bandung, query), content).content
        full = render(_anonymous_request(bandung, query), "layout_page.html", {"layout_content": content}).content
    assert fast == full and b"<script>alert" not in fast and b"<h1>Cek status permohonan</h1>" in fast


def test_the_status_page_escapes_what_the_visitor_typed(bandung, client):
    page = client.get("/bandung/permits/status/", {"number": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "Tidak ada permohonan dengan nomor ini di kota ini." in page


def test_dates_are_shown_in_the_city_time_zone(bandung, client):
    import datetime

    application = submitted(bandung)
    # 23:30 UTC is already the next day in Bandung (UTC+7).
    PermitApplication.objects.filter(pk=application.pk).update(
        submitted_at=datetime.datetime(2026, 3, 9, 23, 30, tzinfo=datetime.UTC),
        due_at=datetime.datetime(2026, 3, 20, 23, 30, tzinfo=datetime.UTC))
    page = status_page(client, application)
    assert "Diajukan: 10 Maret 2026 · batas waktu 21 Maret 2026" in page


def test_a_waiting_message_is_shown_on_a_layout_shell_page(bandung):
    from django.contrib import messages

    from kotapintar.core.layout import render_public

    request = _anonymous_request(bandung, "")
    messages.info(request, "Pesan untuk pengunjung")
    with translation.override("id"):
        page = render_public(request, "<h1>Cek status permohonan</h1>").content.decode()
    assert "Pesan untuk pengunjung" in page and "Cek status permohonan" in page


def test_a_message_waiting_in_the_messages_cookie_is_shown_too(bandung):
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.fallback import FallbackStorage

    from kotapintar.core.layout import render_public

    request = _anonymous_request(bandung, "")
    request.COOKIES["messages"] = CookieStorage(request)._encode([Message(20, "Pesan dari cookie")])
    request._messages = FallbackStorage(request)
    page = render_public(request, "<h1>Cek status permohonan</h1>").content.decode()
    assert "Pesan dari cookie" in page
