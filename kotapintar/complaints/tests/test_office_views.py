"""The officials' and administrators' pages of the complaints module: who may open them, the whole
handling of a report through the pages, and the administration of categories, standards and keys."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate, Open311Key, ServiceStandard
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.keys import open311_key_create, open311_key_find
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.tests.factories import city_with_categories, committed, report
from kotapintar.core.models import AuditEntry, Department, Membership
from kotapintar.core.testing import make_user, set_module

pytestmark = pytest.mark.django_db


def ui(msgid: str) -> str:
    """What a page shows for `msgid` (pages speak Bahasa Indonesia by default)."""
    with translation.override("id"):
        return translation.gettext(msgid)


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def other_city():
    return city_with_categories("71.71", "manado")


def _officer(username, city, department_code):
    user = make_user(username, city=city, full_name=username.title())
    Membership.objects.create(user=user, city=city, role="complaint_officer",
                              department=Department.objects.get(city=city, code=department_code))
    return user


@pytest.fixture
def people(city):
    return {
        "verifier": make_user("verifikator", city=city, roles=["complaint_verifier"], full_name="Rina Verifikator"),
        "supervisor": make_user("supervisor", city=city, roles=["complaint_supervisor"]),
        "officer": _officer("petugas.dlh", city, "DLH"),
        "pupr": _officer("petugas.pupr", city, "PUPR"),
        "admin": make_user("admin.lapor", city=city, roles=["complaint_admin"]),
        "city_admin": make_user("admin.kota", city=city, roles=["city_admin"]),
        "wrong": make_user("petugas.izin", city=city, roles=["permit_verifier"]),
        "citizen": make_user("warga", full_name="Siti Warga"),
    }


@pytest.fixture
def complaint(city, people):
    return report(city, people["citizen"], reporter_phone="0812-3456-7890")


def login(client, user):
    client.force_login(user)
    return client


# -- access: every page and POST ---------------------------------------------------------------------
# (url name, method, a role that may use it, needs a report, extra URL arguments, POST data)
PAGES = [
    ("complaints:queue", "get", "complaint_verifier", False, {}, {}),
    ("complaints:office_detail", "get", "complaint_verifier", True, {}, {}),
    ("complaints:office_act", "post", "complaint_verifier", True, {}, {"action": "verify"}),
    ("complaints:office_assign", "post", "complaint_verifier", True, {}, {"department": "DEPT"}),
    ("complaints:office_comment", "post", "complaint_verifier", True, {}, {"text": "Catatan", "kind": "note"}),
    ("complaints:office_merge", "post", "complaint_verifier", True, {}, {"into": "ORIGINAL"}),
    ("complaints:office_moderate", "post", "complaint_supervisor", True, {}, {"hidden": "1", "reason": "Kasar"}),
    ("complaints:admin", "get", "complaint_admin", False, {}, {}),
    ("complaints:admin_category_new", "get", "complaint_admin", False, {}, {}),
    ("complaints:admin_category", "get", "city_admin", False, {"code": "CATEGORY"}, {}),
    ("complaints:admin_standard_new", "get", "complaint_admin", False, {}, {}),
    ("complaints:admin_standard", "get", "complaint_admin", False, {"code": "STANDARD"}, {}),
    ("complaints:admin_keys", "get", "complaint_admin", False, {}, {}),
    ("complaints:admin_keys", "post", "city_admin", False, {}, {"name": "Aplikasi Warga"}),
    ("complaints:admin_key_revoke", "post", "complaint_admin", False, {"pk": "KEY"}, {}),
]
PAGE_IDS = [f"{method.upper()} {name}" for name, method, *_rest in PAGES]


def _setup(city, page):
    """The URL and POST data of `page` in `city`, with the objects it needs."""
    name, method, role, needs_report, kwargs, data = page
    kwargs, data = dict(kwargs), dict(data)
    reporter = make_user(f"pelapor-{city.slug}-{Complaint.objects.count()}")
    if needs_report:
        kwargs["tracking"] = report(city, reporter).tracking_number
    if data.get("into") == "ORIGINAL":
        data["into"] = report(city, reporter, lat=city.lat + 0.0001).tracking_number
    if data.get("department") == "DEPT":
        data["department"] = Department.objects.get(city=city, code="PUPR").pk
    if kwargs.get("pk") == "KEY":
        kwargs["pk"] = open311_key_create(city=city, name="Mitra", actor=None)[0].pk
    if kwargs.get("code") == "CATEGORY":  # a code only this city has
        kwargs["code"] = category_save(city=city, actor=None, code=f"khusus-{city.slug}", name="Khusus",
                                       department=Department.objects.get(city=city, code="DLH")).code
    if kwargs.get("code") == "STANDARD":
        kwargs["code"] = f"angkut-sampah-{city.slug}"
        service_standard_save(city=city, actor=None, code=kwargs["code"], name="Pengangkutan sampah",
                              department=Department.objects.get(city=city, code="DLH"), requirements="Surat RT",
                              procedure="Ajukan", service_time="5 hari kerja", cost="Gratis", product="Jadwal",
                              complaint_channel="Menu Pengaduan")
    return reverse(name, kwargs={"city": city.slug, **kwargs}), method, role, data


def _call(client, url, method, data):
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_the_right_role_may_use_the_page(client, city, page):
    url, method, role, data = _setup(city, page)
    response = _call(login(client, make_user("berhak", city=city, roles=[role])), url, method, data)
    creates_key = page[0] == "complaints:admin_keys"  # answers with the new key, shown once
    assert response.status_code == (302 if method == "post" and not creates_key else 200), text(response)[:3000]
    if method == "post" and response.status_code == 302:
        assert "/accounts/login/" not in response.url
        assert not [m for m in response.wsgi_request._messages if m.level_tag == "error"]
    if method == "get":  # a plain-text title, the page's markup in its body
        title = text(response).split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in title and city.name in title, title


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_anonymous_goes_to_the_login_page(client, city, page):
    url, method, _role, data = _setup(city, page)
    response = _call(client, url, method, data)
    assert response.status_code == 302 and response.url.startswith(reverse("core:login"))


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_a_wrong_role_is_refused(client, city, page):
    url, method, role, data = _setup(city, page)
    # an official of another module; for the admin pages also a report handler
    wrong = "complaint_officer" if role in ("complaint_admin", "city_admin") else "permit_verifier"
    response = _call(login(client, make_user("salah", city=city, roles=[wrong])), url, method, data)
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_the_role_in_another_city_does_not_count(client, city, other_city, page):
    url, method, role, data = _setup(city, page)
    response = _call(login(client, make_user("manado", city=other_city, roles=[role])), url, method, data)
    assert response.status_code == 403


OBJECT_PAGES = [(p, i) for p, i in zip(PAGES, PAGE_IDS, strict=True) if p[3] or "pk" in p[4] or "code" in p[4]]


@pytest.mark.parametrize("page", [p for p, _i in OBJECT_PAGES], ids=[i for _p, i in OBJECT_PAGES])
def test_another_citys_object_is_not_found(client, city, other_city, page):
    foreign_url, method, role, data = _setup(other_city, page)
    url = foreign_url.replace(f"/{other_city.slug}/", f"/{city.slug}/", 1)
    response = _call(login(client, make_user("berhak", city=city, roles=[role])), url, method, data)
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(city=other_city, action__startswith="complaint.").exclude(
        action="complaint.create").exists()


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_a_switched_off_module_answers_404(client, city, page):
    url, method, role, data = _setup(city, page)
    set_module(city, "complaints", False)
    assert _call(login(client, make_user("berhak", city=city, roles=[role])), url, method, data).status_code == 404
    client.logout()
    assert _call(client, url, method, data).status_code == 404


# -- the queue --------------------------------------------------------------------------------------
def test_the_verifier_sees_what_to_verify_soonest_first_with_colours(client, city, people):
    first = report(city, people["citizen"])
    second = report(city, people["citizen"], code="jalan-rusak")
    handled = svc.complaint_act(complaint=report(city, people["citizen"]), action="verify", actor=people["verifier"])
    Complaint.objects.filter(pk=first.pk).update(due_at=second.due_at.replace(year=2020))  # overdue
    login(client, people["verifier"])
    page = client.get(reverse("complaints:queue", kwargs={"city": city.slug}), {"which": "verify"})
    body = text(page)
    assert page.status_code == 200
    assert body.index(first.tracking_number) < body.index(second.tracking_number)
    assert handled.tracking_number not in body
    assert "kp-row-overdue" in body and ui("overdue") in body
    assert "kp-lapor-red" in body
    everything = text(client.get(reverse("complaints:queue", kwargs={"city": city.slug})))
    assert handled.tracking_number in everything and "kp-lapor-yellow" in everything


def test_an_officer_sees_their_department_and_their_own_items(client, city, people):
    rubbish = svc.complaint_act(complaint=report(city, people["citizen"]), action="verify", actor=people["verifier"])
    road = svc.complaint_act(complaint=report(city, people["citizen"], code="jalan-rusak"), action="verify",
                             actor=people["verifier"])
    waiting = report(city, people["citizen"])  # not verified yet: not the officer's work
    login(client, people["officer"])
    body = text(client.get(reverse("complaints:queue", kwargs={"city": city.slug})))
    assert rubbish.tracking_number in body
    assert road.tracking_number not in body and waiting.tracking_number not in body
    svc.complaint_assign(complaint=road, actor=people["verifier"], assignee=people["officer"])
    mine = text(client.get(reverse("complaints:queue", kwargs={"city": city.slug}), {"which": "mine"}))
    assert road.tracking_number in mine and rubbish.tracking_number not in mine


def test_the_queue_filters_by_category_kecamatan_and_department(client, city, people):
    rubbish = report(city, people["citizen"])
    road = report(city, people["citizen"], code="jalan-rusak")
    login(client, people["verifier"])
    url = reverse("complaints:queue", kwargs={"city": city.slug})
    body = text(client.get(url, {"category": "jalan-rusak"}))
    assert road.tracking_number in body and rubbish.tracking_number not in body
    body = text(client.get(url, {"department": "DLH"}))
    assert rubbish.tracking_number in body and road.tracking_number not in body
    assert rubbish.district is not None
    body = text(client.get(url, {"district": rubbish.district.code}))
    assert rubbish.tracking_number in body
    body = text(client.get(url, {"district": "00.00.00"}))
    assert rubbish.tracking_number not in body and road.tracking_number not in body


def test_the_queue_is_paginated_and_keeps_its_filters(client, city, people):
    for _n in range(27):
        report(city, people["citizen"], check_limits=False)
    login(client, people["verifier"])
    url = reverse("complaints:queue", kwargs={"city": city.slug})
    first = client.get(url, {"category": "sampah"})
    assert len(first.context["rows"]) == 25 and "category=sampah&amp;page=2" in first.content.decode()
    second = client.get(url, {"category": "sampah", "page": 2})
    assert len(second.context["rows"]) == 2


def test_the_queue_needs_the_same_number_of_queries_for_3_or_30_reports(client, city, people):
    login(client, people["verifier"])
    url = reverse("complaints:queue", kwargs={"city": city.slug})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _n in range(3):
        report(city, people["citizen"], check_limits=False)
    client.get(url)  # warm the caches (city, workflow)
    few = queries()
    for _n in range(27):
        svc.complaint_assign(complaint=report(city, people["citizen"], check_limits=False),
                             actor=people["verifier"], assignee=people["officer"])
    assert queries() == few
    login(client, people["officer"])
    client.get(url)
    officer_few = queries()
    assert officer_few <= few + 2


# -- one report, handled through the pages ----------------------------------------------------------
def _office(city, complaint, suffix=""):
    name = "complaints:office_detail" if not suffix else f"complaints:office_{suffix}"
    return reverse(name, kwargs={"city": city.slug, "tracking": complaint.tracking_number})


def test_officials_see_everything_including_the_reporters_contact(client, city, people):
    complaint = report(city, people["citizen"], code="jalan-rusak", visibility="anonymous",
                       reporter_phone="0812-3456-7890", address="Jl. Braga No. 1")
    svc.complaint_comment(complaint=complaint, actor=people["verifier"], text="Cek ke lokasi besok.", internal=True)
    login(client, people["officer"])
    body = text(client.get(_office(city, complaint)))
    assert "Siti Warga" in body and "warga@example.id" in body and "0812-3456-7890" in body
    assert "Cek ke lokasi besok." in body  # internal notes
    assert "Ukuran" in body and "Besar" in body  # the answers, by their labels
    assert 'id="kp-office-map"' in body and "Jl. Braga No. 1" in body


def test_the_whole_handling_verify_assign_note_reply_resolve(client, city, people, mailoutbox):
    complaint = report(city, people["citizen"])
    login(client, people["verifier"])
    page = client.get(_office(city, complaint))
    assert [a.action for a in page.context["actions"]] == ["verify", "reject", "forward"]
    with committed():
        response = client.post(_office(city, complaint, "act"), {"action": "verify", "expected_state": "submitted"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "verified"
    # the verifier routes it to public works and to one of its officers
    pupr = Department.objects.get(city=city, code="PUPR")
    response = client.post(_office(city, complaint, "assign"),
                           {"department": pupr.pk, "assignee": people["pupr"].pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.department == pupr and complaint.assigned_to == people["pupr"]
    # the officer writes an internal note and a public reply, then resolves it
    login(client, people["pupr"])
    assert complaint.tracking_number in text(client.get(reverse("complaints:queue", kwargs={"city": city.slug})))
    mailoutbox.clear()
    with committed():
        client.post(_office(city, complaint, "comment"), {"kind": "note", "text": "Butuh alat berat."})
        client.post(_office(city, complaint, "comment"), {"kind": "reply", "text": "Petugas meninjau lokasi."})
    kinds = list(ComplaintUpdate.objects.filter(complaint=complaint).values_list("kind", "text"))
    assert ("note", "Butuh alat berat.") in kinds and ("reply", "Petugas meninjau lokasi.") in kinds
    assert len(mailoutbox) == 1 and "Petugas meninjau lokasi." in mailoutbox[0].body  # only the reply
    # resolving needs a comment: refused, nothing moves
    refused = client.post(_office(city, complaint, "act"), {"action": "resolve", "expected_state": "verified"})
    assert refused.status_code == 400
    complaint.refresh_from_db()
    assert complaint.state == "verified"
    with committed():
        done = client.post(_office(city, complaint, "act"), {"action": "resolve", "expected_state": "verified",
                                                            "comment": "Lubang sudah ditambal."})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "resolved" and complaint.status_notes == "Lubang sudah ditambal."
    assert "Lubang sudah ditambal." in mailoutbox[-1].body


def test_a_refused_action_keeps_the_comment_typed(client, city, people, complaint):
    login(client, people["verifier"])
    response = client.post(_office(city, complaint, "act"), {"action": "reject", "expected_state": "submitted",
                                                            "comment": "   "})
    assert response.status_code == 400
    assert ui("The action “%(a)s” needs a comment.") % {"a": ui("Reject")} in text(response)  # the button's word
    complaint.refresh_from_db()
    assert complaint.state == "submitted"


def test_a_stale_page_says_someone_else_moved_the_report_and_keeps_the_text(client, city, people, complaint):
    login(client, people["verifier"])
    client.get(_office(city, complaint))  # the verifier opens the page while it is "submitted"
    svc.complaint_act(complaint=complaint, action="reject", actor=people["supervisor"], comment="Bukan masalah.")
    response = client.post(_office(city, complaint, "act"), {"action": "verify", "expected_state": "submitted",
                                                            "comment": "Sudah saya cek di lokasi."})
    assert response.status_code == 409
    body = text(response)
    assert ui("Someone else already moved this report. Here it is as it is now; your text is kept below. "
              "Check it and act again if still needed.") in body
    assert "Sudah saya cek di lokasi." in body
    assert response.context["complaint"].state == "rejected"  # the page shows it as it is now
    complaint.refresh_from_db()
    assert complaint.state == "rejected"


def test_an_officer_may_take_a_report_but_not_give_it_to_someone_else(client, city, people, complaint):
    svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])
    login(client, people["officer"])
    page = client.get(_office(city, complaint))
    assert page.context["assignees"] == [] and page.context["departments"] == []
    refused = client.post(_office(city, complaint, "assign"), {"assignee": people["pupr"].pk})
    assert refused.status_code == 403
    assert ui("Only a verifier or supervisor may assign a report to someone else.") in text(refused)
    assert client.post(_office(city, complaint, "assign"), {"assignee": people["officer"].pk}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.assigned_to == people["officer"]


def test_an_empty_reply_is_refused(client, city, people, complaint):
    login(client, people["officer"])
    response = client.post(_office(city, complaint, "comment"), {"kind": "note", "text": ""})
    assert response.status_code == 400 and ui("Write the reply or note.") in text(response)
    assert not ComplaintUpdate.objects.filter(complaint=complaint, kind="note").exists()


def test_merge_a_duplicate_from_the_nearby_list_or_by_number(client, city, people):
    original = report(city, people["citizen"])
    neighbour = make_user("tetangga")
    duplicate = report(city, neighbour, lat=city.lat + 0.0002)  # about 22 m away
    login(client, people["verifier"])
    page = client.get(_office(city, duplicate))
    assert original in page.context["nearby"] and page.context["can_merge"]
    # a mistyped number: refused, the number stays in the box
    wrong = client.post(_office(city, duplicate, "merge"), {"into": "LP-ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and 'value="LP-ZZZZ-ZZZZ"' in wrong.content.decode()
    response = client.post(_office(city, duplicate, "merge"), {"into": original.tracking_number.lower()})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.state == "duplicate" and duplicate.duplicate_of == original
    assert original.supporters == 1  # the duplicate's reporter now follows the original
    assert duplicate.tracking_number in text(client.get(_office(city, original)))


def test_an_officer_cannot_merge(client, city, people, complaint):
    other = report(city, people["citizen"], lat=city.lat + 0.0001)
    login(client, people["officer"])
    assert client.post(_office(city, other, "merge"), {"into": complaint.tracking_number}).status_code == 403
    other.refresh_from_db()
    assert other.state == "submitted"


def test_moderation_hides_a_report_or_one_message_with_a_reason(client, city, people, complaint):
    reply = svc.complaint_comment(complaint=complaint, actor=people["officer"], text="Balasan kasar", internal=False)
    login(client, people["supervisor"])
    no_reason = client.post(_office(city, complaint, "moderate"), {"hidden": "1", "reason": ""})
    assert no_reason.status_code == 400 and ui("Say why the content is hidden.") in text(no_reason)
    complaint.refresh_from_db()
    assert not complaint.hidden
    assert client.post(_office(city, complaint, "moderate"),
                       {"hidden": "1", "reason": "Kata-kata kasar"}).status_code == 302
    assert client.post(_office(city, complaint, "moderate"),
                       {"hidden": "1", "reason": "Tidak sopan", "update": reply.pk}).status_code == 302
    complaint.refresh_from_db()
    reply.refresh_from_db()
    assert complaint.hidden and reply.hidden
    assert AuditEntry.objects.filter(action="complaint.moderate", data__reason="Kata-kata kasar").exists()
    body = text(client.get(_office(city, complaint)))
    assert ui("hidden from the public") in body and "Balasan kasar" in body  # officials still see it
    assert client.post(_office(city, complaint, "moderate"), {"hidden": "0", "reason": "Sudah diperbaiki"}
                       ).status_code == 302
    complaint.refresh_from_db()
    assert not complaint.hidden


def test_a_message_of_another_report_cannot_be_moderated_here(client, city, people, complaint):
    other = report(city, people["citizen"], lat=city.lat + 0.001)
    note = svc.complaint_comment(complaint=other, actor=people["officer"], text="Balasan", internal=False)
    login(client, people["supervisor"])
    response = client.post(_office(city, complaint, "moderate"), {"hidden": "1", "reason": "x", "update": note.pk})
    assert response.status_code == 404


# -- administration ----------------------------------------------------------------------------------
def _category_post(**overrides):
    data = {"code": "parkir-liar", "name": "Parkir liar", "group": "Ketertiban", "description": "",
            "keywords": "parkir, juru parkir", "department": "", "active": "on",
            "questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
            "questions-0-code": "tarif", "questions-0-label": "Tarif yang diminta", "questions-0-type": "number",
            "questions-0-values": "", "questions-0-help": "",
            "questions-1-code": "", "questions-1-label": "", "questions-1-type": "string",
            "questions-1-values": "", "questions-1-help": ""}
    return {**data, **overrides}


def test_an_admin_creates_a_category_with_questions(client, city, people):
    dishub = Department.objects.get(city=city, code="PUPR")
    login(client, people["admin"])
    response = client.post(reverse("complaints:admin_category_new", kwargs={"city": city.slug}), _category_post(
        department=dishub.pk, **{"questions-1-code": "jenis", "questions-1-label": "Jenis kendaraan",
                                  "questions-1-type": "multivaluelist", "questions-1-required": "on",
                                  "questions-1-values": "motor=Sepeda motor\nmobil=Mobil\n"}))
    assert response.status_code == 302
    category = ComplaintCategory.objects.get(city=city, code="parkir-liar")
    assert category.department == dishub and category.keywords == "parkir, juru parkir"
    assert category.questions[1] == {"code": "jenis", "label": "Jenis kendaraan", "type": "multivaluelist",
                                     "required": True, "help": "",
                                     "values": [{"key": "motor", "name": "Sepeda motor"},
                                                {"key": "mobil", "name": "Mobil"}]}
    edit = client.get(reverse("complaints:admin_category", kwargs={"city": city.slug, "code": "parkir-liar"}))
    assert "motor=Sepeda motor" in edit.content.decode()
    assert edit.context["form"].fields["code"].disabled


def test_a_bad_question_keeps_everything_typed_and_saves_nothing(client, city, people):
    login(client, people["admin"])
    department = Department.objects.get(city=city, code="PUPR")
    response = client.post(reverse("complaints:admin_category_new", kwargs={"city": city.slug}), _category_post(
        department=department.pk, **{"questions-1-code": "jenis", "questions-1-label": "Jenis kendaraan",
                                      "questions-1-type": "singlevaluelist", "questions-1-values": ""}))
    assert response.status_code == 400
    body = text(response)
    assert ui("Question %(n)d needs a list of values with keys.") % {"n": 2} in body
    assert 'value="Parkir liar"' in body and 'value="Jenis kendaraan"' in body and 'value="Tarif yang diminta"' in body
    assert not ComplaintCategory.objects.filter(city=city, code="parkir-liar").exists()
    # a value line without a key is pointed out on its row
    response = client.post(reverse("complaints:admin_category_new", kwargs={"city": city.slug}), _category_post(
        department=department.pk, **{"questions-1-code": "jenis", "questions-1-label": "Jenis",
                                      "questions-1-type": "singlevaluelist", "questions-1-values": "=Mobil"}))
    assert response.status_code == 400
    assert ui("Line %(n)d needs a key before the “=”.") % {"n": 1} in text(response)


def test_a_category_code_is_used_once_and_departments_are_the_citys(client, city, other_city, people):
    login(client, people["admin"])
    url = reverse("complaints:admin_category_new", kwargs={"city": city.slug})
    taken = client.post(url, _category_post(code="sampah", department=Department.objects.get(
        city=city, code="DLH").pk))
    assert taken.status_code == 400 and ui("A category with this code already exists.") in text(taken)
    foreign = client.post(url, _category_post(department=Department.objects.get(city=other_city, code="DLH").pk))
    assert foreign.status_code == 400 and "department" in foreign.context["form"].errors
    assert not ComplaintCategory.objects.filter(city=city, code="parkir-liar").exists()


def test_an_admin_edits_a_category_and_adds_a_question_row(client, city, people):
    login(client, people["city_admin"])
    url = reverse("complaints:admin_category", kwargs={"city": city.slug, "code": "jalan-rusak"})
    page = client.get(url)
    assert len(page.context["questions"].forms) == 4  # two questions and two empty rows
    data = {"code": "ignored", "name": "Jalan berlubang", "group": "Infrastruktur", "description": "",
            "keywords": "", "department": Department.objects.get(city=city, code="PUPR").pk, "active": "on",
            "questions-TOTAL_FORMS": "4", "questions-INITIAL_FORMS": "2", "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-code": "ukuran", "questions-0-label": "Ukuran", "questions-0-type": "singlevaluelist",
            "questions-0-required": "on", "questions-0-values": "kecil=Kecil\nbesar=Besar", "questions-0-help": "",
            "questions-1-code": "kedalaman_cm", "questions-1-label": "Kedalaman (cm)", "questions-1-type": "number",
            "questions-1-values": "", "questions-1-help": "", "questions-1-DELETE": "on"}
    for row in (2, 3):
        data.update({f"questions-{row}-{f}": "" for f in ("code", "label", "values", "help")})
        data[f"questions-{row}-type"] = "string"
    more = client.post(url, {**data, "add_row": "1"})
    assert more.status_code == 200 and len(more.context["questions"].forms) == 5
    assert client.post(url, data).status_code == 302
    category = ComplaintCategory.objects.get(city=city, code="jalan-rusak")
    assert category.name == "Jalan berlubang" and [q["code"] for q in category.questions] == ["ukuran"]


def test_an_admin_writes_a_service_standard(client, city, people):
    login(client, people["admin"])
    url = reverse("complaints:admin_standard_new", kwargs={"city": city.slug})
    data = {"code": "uji-kir", "name": "Pengujian KIR", "department": Department.objects.get(city=city, code="PUPR").pk,
            "requirements": "STNK\nKTP", "procedure": "Daftar\nUji", "service_time": "1 hari kerja", "cost": "",
            "product": "Kartu uji", "complaint_channel": "Menu Pengaduan", "active": "on"}
    missing = client.post(url, data)
    assert missing.status_code == 400 and "cost" in missing.context["form"].errors
    assert 'value="Pengujian KIR"' in text(missing)
    assert not ServiceStandard.objects.filter(city=city).exists()
    assert client.post(url, {**data, "cost": "Sesuai Perda"}).status_code == 302
    standard = ServiceStandard.objects.get(city=city, code="uji-kir")
    assert standard.cost == "Sesuai Perda" and standard.requirements == "STNK\nKTP"
    edit_url = reverse("complaints:admin_standard", kwargs={"city": city.slug, "code": "uji-kir"})
    assert client.post(edit_url, {**data, "cost": "Gratis", "active": ""}).status_code == 302
    standard.refresh_from_db()
    assert standard.cost == "Gratis" and not standard.active
    home = text(client.get(reverse("complaints:admin", kwargs={"city": city.slug})))
    assert "Pengujian KIR" in home and f"/{city.slug}/open311/v2/discovery.json" in home


def test_a_new_key_is_shown_once_and_revoking_stops_it(client, city, people):
    login(client, people["admin"])
    url = reverse("complaints:admin_keys", kwargs={"city": city.slug})
    empty = client.post(url, {"name": "  "})
    assert empty.status_code == 400 and not Open311Key.objects.exists()
    created = client.post(url, {"name": "Aplikasi Sapa Warga"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    key = created.context["new_key"]["key"]
    assert key in created.content.decode()
    record = open311_key_find(city, key)
    assert record is not None and record.name == "Aplikasi Sapa Warga"
    again = client.get(url)
    assert key not in again.content.decode() and record.prefix in again.content.decode()
    revoke = client.post(reverse("complaints:admin_key_revoke", kwargs={"city": city.slug, "pk": record.pk}))
    assert revoke.status_code == 302
    assert open311_key_find(city, key) is None
    assert AuditEntry.objects.filter(action="open311_key.revoke", object_id=str(record.pk)).exists()


def _geojson_file(data, name="batas.geojson"):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, json.dumps(data).encode() if not isinstance(data, bytes) else data,
                              content_type="application/geo+json")


def test_the_city_admin_loads_the_city_boundary_and_bad_files_are_refused(client, city, people):
    lat, lng = city.lat, city.lng
    square = {"type": "Polygon", "coordinates": [[[lng - .1, lat - .1], [lng + .1, lat - .1], [lng + .1, lat + .1],
                                                  [lng - .1, lat + .1], [lng - .1, lat - .1]]]}
    url = reverse("complaints:admin", kwargs={"city": city.slug})
    login(client, people["admin"])  # the complaint administrator may not change the city's map
    assert client.post(url, {"boundary": _geojson_file(square)}).status_code == 403
    login(client, people["city_admin"])
    for bad, message in [(b"not json", "“%(name)s” is not a GeoJSON file."),
                         ({"type": "Point", "coordinates": [lng, lat]},
                          "The boundary must be a GeoJSON Polygon or MultiPolygon."),
                         ({"type": "Polygon", "coordinates": [[[lat, lng], [lat, lng + .1], [lat + .1, lng],
                                                               [lat, lng]]]},
                          "The boundary has points outside Indonesia (is it [lng, lat]?).")]:
        response = client.post(url, {"boundary": _geojson_file(bad)})
        assert response.status_code == 400
        assert ui(message) % {"name": "batas.geojson"} in text(response)
    city.refresh_from_db()
    assert city.boundary is None
    assert client.post(url, {"boundary": _geojson_file(square)}).status_code == 302
    city.refresh_from_db()
    assert city.boundary == square
    assert AuditEntry.objects.filter(city=city, action="city.geography_load").count() == 1
