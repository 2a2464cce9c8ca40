"""Access contract of every permits endpoint, the officials' inbox, and the pages."""

import pytest
from django.urls import reverse

from kotapintar.core.testing import Endpoint, ModuleEndpointTests, make_city, make_user, only, set_module
from kotapintar.permits.demo import fill_application, install_standard_types
from kotapintar.permits.models import PermitApplication
from kotapintar.permits.selectors import inbox_for
from kotapintar.permits.services.applications import application_act, application_submit

OFFICIALS = ("permit_verifier", "permit_inspector", "permit_head", "permit_admin")


class TestPermitEndpoints(ModuleEndpointTests):
    module = "permits"
    endpoints = [
        Endpoint("permits-api:permit-type-list", public=True),
        Endpoint("permits-api:permit-type-detail", public=True, detail=True, lookup="code", lookup_attr="code"),
        Endpoint("permits-api:status", public=True, ok=404),  # no number given: not found, but reachable
        Endpoint("permits-api:application-list", roles=OFFICIALS),
        Endpoint("permits-api:application-detail", roles=OFFICIALS, detail=True),
        Endpoint("permits-api:application-history", roles=OFFICIALS, detail=True),
        Endpoint("permits-api:application-act", "post", roles=("permit_verifier",), detail=True,
                 data={"action": "verify"}),
    ]

    def make_object(self, city, endpoint):
        types = install_standard_types(city)
        if "permit-type" in endpoint.name:
            return types["sip"]
        applicant = make_user(f"warga-{city.slug}-{PermitApplication.objects.count()}")
        application = fill_application(types["sip"], applicant)
        return application_submit(application=application, actor=applicant)

    def test_wrong_role_is_refused(self, endpoint, city):
        """Applications answer a signed-in person without a permit role with only their own (none here)."""
        if endpoint.name == "permits-api:application-list":
            from rest_framework.test import APIClient

            client = APIClient()
            client.force_authenticate(make_user("wrongrole", city=city, roles=["communications_officer"]))
            self.make_object(city, endpoint)
            response = client.get(self.url(endpoint, city))
            assert response.status_code == 200 and response.json()["count"] == 0
        elif endpoint.detail and endpoint.name.startswith("permits-api:application"):
            user = make_user("wrongrole", city=city, roles=["communications_officer"])
            assert self.call(endpoint, city, user).status_code == 404
        else:
            super().test_wrong_role_is_refused(endpoint, city)

    @only(lambda e: not e.public)
    def test_role_in_another_city_does_not_count(self, endpoint, city, other_city):
        user = make_user("elsewhere", city=other_city, roles=endpoint.roles[:1])
        response = self.call(endpoint, city, user)
        if endpoint.name == "permits-api:application-list":
            assert response.status_code == 200 and response.json()["count"] == 0
        else:
            assert response.status_code == 404


@pytest.fixture
def bandung(db):
    city = make_city("32.73", "bandung")
    install_standard_types(city)
    return city


def make_submitted(city, n, code="sip"):
    from kotapintar.permits.models import PermitType

    permit_type = PermitType.objects.get(city=city, code=code)
    result = []
    for i in range(n):
        applicant = make_user(f"pemohon{PermitApplication.objects.count()}-{i}")
        result.append(application_submit(application=fill_application(permit_type, applicant), actor=applicant))
    return result


def test_inbox_shows_only_items_for_the_role_sorted_by_due_date(bandung):
    verifier = make_user("verif", city=bandung, roles=["permit_verifier"])
    head = make_user("kepala", city=bandung, roles=["permit_head"])
    apps = make_submitted(bandung, 3)
    application_act(application=apps[0], actor=verifier, action="verify")
    assert {a.pk for a in inbox_for(city=bandung, user=verifier)} == {apps[1].pk, apps[2].pk}
    assert [a.pk for a in inbox_for(city=bandung, user=head)] == [apps[0].pk]
    due = [a.due_at for a in inbox_for(city=bandung, user=verifier)]
    assert due == sorted(due)


def test_inbox_page_shows_each_item_with_its_link_applicant_state_and_assignee(bandung, client):
    verifier = make_user("verif", city=bandung, roles=["permit_verifier"], full_name="Vera Verifikator")
    first, second = make_submitted(bandung, 2)
    PermitApplication.objects.filter(pk=first.pk).update(assigned_to=verifier)
    client.force_login(verifier)
    page = client.get("/bandung/permits/inbox/").content.decode()
    for application in (first, second):
        link = f'<a href="/bandung/permits/applications/{application.pk}/">{application.registration_number}</a>'
        assert link in page
        assert application.applicant.display_name in page
    assert page.count(first.permit_type.name) == 2 and page.count("Verifikasi berkas") == 2
    assert page.count("Vera Verifikator") == 2  # the header and the assignee column
    assert page.count("<td>—</td>") == 1  # the item nobody claimed yet


def test_inbox_page_runs_a_constant_number_of_queries(bandung, client, django_assert_max_num_queries):
    verifier = make_user("verif", city=bandung, roles=["permit_verifier"])
    client.force_login(verifier)
    make_submitted(bandung, 2)
    client.get("/bandung/permits/inbox/")  # the city and its module switches are cached from now on
    with django_assert_max_num_queries(12) as few:
        assert client.get("/bandung/permits/inbox/").status_code == 200
    make_submitted(bandung, 20)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get("/bandung/permits/inbox/")
    assert response.status_code == 200 and response.content.count(b"3273-") >= 22
    assert len(many.captured_queries) == len(few.captured_queries)


def test_status_lookup_page_runs_a_constant_number_of_queries(bandung, client, django_assert_num_queries):
    (application,) = make_submitted(bandung, 1)
    url = f"/bandung/permits/status/?number={application.registration_number}"
    client.get(url)  # fills the cache of cities, domains, module switches and workflow versions
    with django_assert_num_queries(1):  # the application with its permit type, by the unique index
        response = client.get(url)
    assert application.registration_number.encode() in response.content
    (other,) = make_submitted(bandung, 1)
    with django_assert_num_queries(1):
        assert other.registration_number.encode() in client.get(
            f"/bandung/permits/status/?number={other.registration_number}").content


@pytest.mark.parametrize("page", ["inbox/"])
def test_inbox_refuses_citizens(bandung, client, page):
    client.force_login(make_user("warga"))
    assert client.get(f"/bandung/permits/{page}").status_code == 403


def test_pages_answer_404_when_module_is_off(bandung, client):
    (application,) = make_submitted(bandung, 1)
    client.force_login(application.applicant)
    assert client.get("/bandung/permits/").status_code == 200
    assert client.get(f"/bandung/permits/applications/{application.pk}/").status_code == 200
    set_module(bandung, "permits", False)
    assert client.get("/bandung/permits/").status_code == 404
    assert client.get(f"/bandung/permits/applications/{application.pk}/").status_code == 404
    assert client.get(reverse("permits-api:permit-type-list", kwargs={"city": "bandung"})).status_code == 404


def test_applicant_flow_through_the_pages(bandung, client):
    from kotapintar.permits.demo import sample_pdf

    citizen = make_user("warga", full_name="Siti")
    client.force_login(citizen)
    assert "Surat Izin Praktik" in client.get("/bandung/permits/").content.decode()
    response = client.post("/bandung/permits/types/sip/apply/")
    application = PermitApplication.objects.get(applicant=citizen)
    assert response.url == f"/bandung/permits/applications/{application.pk}/"
    form = {"profesi": "bidan", "nomor_str": "STR-1", "tempat_praktik": "Klinik A", "save": "1"}
    client.post(response.url, form)
    application.refresh_from_db()
    assert application.data == {"profesi": "bidan", "nomor_str": "STR-1", "tempat_praktik": "Klinik A"}
    response = client.post(response.url, {**form, "submit": "1"})
    application.refresh_from_db()
    assert application.state == "draft"  # documents are missing: nothing submitted
    files = {f"doc_{key}": sample_pdf() for key in ("ktp", "str", "rekomendasi_organisasi")}
    client.post(f"/bandung/permits/applications/{application.pk}/", {**form, "submit": "1", **files})
    application.refresh_from_db()
    assert application.state == "submitted" and application.registration_number


def test_permit_admin_defines_a_type_without_code(bandung):
    from rest_framework.test import APIClient

    from kotapintar.permits.models import PermitType

    admin = make_user("admin.izin", city=bandung, roles=["permit_admin"])
    client = APIClient()
    client.force_authenticate(admin)
    workflow = PermitType.objects.get(city=bandung, code="sip").workflow
    definition = {"code": "tdup", "name": "Tanda Daftar Usaha Pariwisata", "department": "DPMPTSP",
                  "workflow": workflow.pk, "sla_days": 5, "number_format": "556/{seq}/TDUP/{year}",
                  "form_schema": [{"name": "nama_usaha", "label": "Nama usaha", "type": "text", "required": True}],
                  "documents": [{"key": "ktp", "label": "KTP", "types": ["pdf"]}]}
    url = reverse("permits-api:permit-type-list", kwargs={"city": "bandung"})
    response = client.post(url, definition, format="json")
    assert response.status_code == 201, response.content
    assert client.get(f"{url}tdup/").json()["name"] == "Tanda Daftar Usaha Pariwisata"

    bad = {**definition, "code": "bad", "fee_formula": "luas * 1000", "number_format": "no-sequence"}
    response = client.post(url, bad, format="json")
    assert response.status_code == 400
    text = str(response.json())
    assert "{seq}" in text and "luas" in text and "awaiting_payment" in text
    assert not PermitType.objects.filter(code="bad").exists()

    other = make_user("verif", city=bandung, roles=["permit_verifier"])
    client.force_authenticate(other)
    assert client.post(url, {**definition, "code": "x"}, format="json").status_code == 403


def test_claim_and_assign(bandung):
    from rest_framework.test import APIClient

    (application,) = make_submitted(bandung, 1)
    verifier = make_user("verif", city=bandung, roles=["permit_verifier"])
    other = make_user("verif2", city=bandung, roles=["permit_verifier"])
    head = make_user("kepala", city=bandung, roles=["permit_head"])
    url = reverse("permits-api:application-claim", kwargs={"city": "bandung", "pk": application.pk})
    client = APIClient()
    client.force_authenticate(verifier)
    assert client.post(url, {}, format="json").json()["id"] == application.pk
    application.refresh_from_db()
    assert application.assigned_to == verifier
    assert client.post(url, {"username": "verif2"}, format="json").status_code == 403  # only the head assigns
    client.force_authenticate(head)
    assert client.post(url, {"username": "verif2"}, format="json").status_code == 200
    application.refresh_from_db()
    assert application.assigned_to == other
    assert client.post(url, {"username": "warga-x"}, format="json").status_code == 400
    citizen = make_user("warga-x")
    assert client.post(url, {"username": citizen.username}, format="json").status_code == 400


def test_type_admin_page_saves_valid_and_refuses_invalid_definitions(bandung, client):
    import json

    from kotapintar.core.models import Department
    from kotapintar.permits.models import PermitType

    client.force_login(make_user("admin", city=bandung, roles=["city_admin"]))
    assert client.get("/bandung/permits/admin/types/").status_code == 200
    workflow = PermitType.objects.get(city=bandung, code="sip").workflow
    form = {"code": "tdup", "name": "TDUP", "department": Department.objects.get(city=bandung, code="DPMPTSP").pk,
            "workflow": workflow.pk, "form_schema": json.dumps([{"name": "nama", "type": "text"}]),
            "documents": json.dumps([{"key": "ktp", "types": ["pdf"]}]), "sla_days": 5,
            "number_format": "556/{seq}/{year}", "active": "on"}
    response = client.post("/bandung/permits/admin/types/new/", {**form, "number_format": "556/{year}"})
    assert response.status_code == 200 and "{seq}" in response.content.decode()
    assert not PermitType.objects.filter(code="tdup").exists()
    assert client.post("/bandung/permits/admin/types/new/", form).status_code == 302
    assert PermitType.objects.get(city=bandung, code="tdup").sla_days == 5
    client.force_login(make_user("verif", city=bandung, roles=["permit_verifier"]))
    assert client.get("/bandung/permits/admin/types/").status_code == 403


def test_escalated_item_appears_in_the_heads_inbox(bandung):
    import datetime

    from django.utils import timezone

    from kotapintar.core.services.workflow import workflow_deadlines_run

    head = make_user("kepala", city=bandung, roles=["permit_head"])
    (application,) = make_submitted(bandung, 1)  # waiting for the verifier
    assert not inbox_for(city=bandung, user=head).filter(pk=application.pk).exists()
    workflow_deadlines_run(now=timezone.now() + datetime.timedelta(days=30))
    assert inbox_for(city=bandung, user=head).filter(pk=application.pk).exists()
