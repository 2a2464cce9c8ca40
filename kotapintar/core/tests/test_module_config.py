"""Per-city module settings (the `config` provider): validated against the module's schema, audited with
secrets masked, secrets never shown back, changed only by the city's own administrators; and the
platform's events: one per state change, delivered only after commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from rest_framework.test import APIClient

from kotapintar.core.models import AuditEntry
from kotapintar.core.services import events
from kotapintar.core.services.modules import map_background, module_config_get, module_config_set, module_set_enabled
from kotapintar.core.services.workflow import workflow_definition_create, workflow_start, workflow_transition
from kotapintar.core.testing import make_city, make_user
from kotapintar.core.tests.test_workflow import DEFINITION
from kotapintar.core.tests.testapp.models import Case

pytestmark = pytest.mark.django_db
SECRET = "bjb-shared-secret-0123456789abcdef-xyz"
URL = "/api/v1/cities/bandung/modules/permits/config/"


@pytest.fixture
def city(db):
    return make_city("32.73", "bandung")


@pytest.fixture
def admin(city):
    return make_user("admin.bdg", city=city, roles=["city_admin"])


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestService:
    def test_values_are_validated_against_the_schema(self, city, admin):
        with pytest.raises(ValidationError) as caught:
            module_config_set(city=city, module_id="complaints", actor=admin,
                              values={"limit_person": "lima per jam", "colour": "red"})
        assert set(caught.value.message_dict) == {"limit_person", "colour"}
        with pytest.raises(ValidationError) as caught:  # the permits schema's own cross-field check
            module_config_set(city=city, module_id="permits", actor=admin,
                              values={"gateway": "bjb", "gateway_secret": "short"})
        assert set(caught.value.message_dict) == {"gateway_secret"}
        with pytest.raises(ValidationError) as caught:  # the demo bank's old secret, published in the source
            module_config_set(city=city, module_id="permits", actor=admin,
                              values={"gateway": "bjb", "gateway_secret": "development-only-simulated-bank-secret"})
        assert set(caught.value.message_dict) == {"gateway_secret"}
        with pytest.raises(ValidationError):
            module_config_set(city=city, module_id="core", actor=admin, values={"map_tiles": "javascript:alert(1)"})
        assert module_config_get(city, "complaints")["limit_person"] is None  # nothing was saved

    def test_a_change_is_audited_with_the_secret_masked(self, city, admin):
        module_config_set(city=city, module_id="permits", actor=admin,
                          values={"gateway": "bjb", "gateway_secret": SECRET})
        entry = AuditEntry.objects.filter(city=city, action="module.configure").get()
        assert entry.data == {"module": "permits", "changed": {"gateway": "bjb", "gateway_secret": "***"}}
        assert SECRET not in str(list(AuditEntry.objects.values_list("data", flat=True)))
        assert module_config_get(city, "permits")["gateway_secret"] == SECRET  # for the module's own use
        # An empty secret keeps the saved one; saving the same values again records nothing.
        module_config_set(city=city, module_id="permits", actor=admin, values={"gateway": "bjb", "gateway_secret": ""})
        assert module_config_get(city, "permits")["gateway_secret"] == SECRET
        assert AuditEntry.objects.filter(city=city, action="module.configure").count() == 1

    def test_only_the_citys_administrators_may_change_settings(self, city):
        other = make_city("63.72", "banjarbaru")
        for actor in (make_user("official", city=city, roles=["permit_admin"]),
                      make_user("admin.bjb", city=other, roles=["city_admin"]), None):
            with pytest.raises(PermissionDenied):
                module_config_set(city=city, module_id="complaints", actor=actor, values={"limit_person": "1/60"})
        assert module_config_get(city, "complaints")["limit_person"] is None

    def test_settings_of_one_city_do_not_touch_another(self, city, admin):
        other = make_city("63.72", "banjarbaru")
        tiles = "https://tiles.bandung.go.id/{z}/{x}/{y}.png"
        module_config_set(city=city, module_id="core", actor=admin,
                          values={"map_tiles": tiles, "map_attribution": "Pemkot"})
        assert map_background(city) == {"tiles": tiles, "attribution": "Pemkot"}
        assert map_background(other)["tiles"] == ""  # the installation's default (tests: no tiles)


class TestApiAndPage:
    def test_secrets_are_never_shown_back(self, city, admin, client):
        module_config_set(city=city, module_id="permits", actor=admin,
                          values={"gateway": "bjb", "gateway_secret": SECRET})
        response = api_as(admin).get(URL)
        assert response.status_code == 200 and SECRET not in response.content.decode()
        fields = {f["key"]: f for f in response.json()["fields"]}
        assert fields["gateway"]["value"] == "bjb"
        assert fields["gateway_secret"]["value"] is None and fields["gateway_secret"]["is_set"] is True
        client.force_login(admin)
        page = client.get("/bandung/office/module-settings/")
        assert page.status_code == 200 and SECRET not in page.content.decode()
        assert "bjb" in page.content.decode()

    def test_the_api_changes_validates_and_refuses_others(self, city, admin):
        response = api_as(admin).patch(URL, {"gateway": "bjb", "gateway_secret": SECRET}, format="json")
        assert response.status_code == 200 and SECRET not in response.content.decode()
        assert api_as(admin).patch(URL, {"gateway": "Bank BJB!"}, format="json").status_code == 400
        other_admin = make_user("admin.bjb", city=make_city("63.72", "banjarbaru"), roles=["city_admin"])
        official = make_user("official", city=city, roles=["permit_admin"])
        for user in (other_admin, official):
            assert api_as(user).get(URL).status_code == 403
            assert api_as(user).patch(URL, {"gateway": "evil"}, format="json").status_code == 403
        assert APIClient().get(URL).status_code in (401, 403)
        assert module_config_get(city, "permits")["gateway"] == "bjb"

    def test_a_switched_off_or_unknown_module_has_no_settings(self, city, admin):
        module_set_enabled(city=city, module_id="permits", enabled=False, actor=admin)
        assert api_as(admin).get(URL).status_code == 404
        assert api_as(admin).get("/api/v1/cities/bandung/modules/nope/config/").status_code == 404

    def test_the_settings_page_saves_and_shows_errors(self, city, admin, client):
        client.force_login(admin)
        page = "/bandung/office/module-settings/"
        response = client.post(page, {"module": "complaints", "complaints-limit_person": "banyak"})
        form = next(s["form"] for s in response.context["sections"] if s["module"].id == "complaints")
        assert response.status_code == 200 and list(form.errors) == ["limit_person"]
        assert form.errors["limit_person"][0] in response.content.decode()
        response = client.post(page, {"module": "complaints", "complaints-limit_person": "2/600"})
        assert response.status_code == 302
        assert module_config_get(city, "complaints")["limit_person"] == "2/600"
        other_admin = make_user("admin.bjb", city=make_city("63.72", "banjarbaru"), roles=["city_admin"])
        client.force_login(other_admin)
        assert client.post(page, {"module": "complaints", "complaints-limit_person": "9/1"}).status_code in (403, 404)
        assert module_config_get(city, "complaints")["limit_person"] == "2/600"


class TestEvents:
    @pytest.fixture
    def heard(self):
        received = []
        events.subscribe("*", received.append)
        yield received
        events.unsubscribe("*", received.append)

    def test_one_event_per_transition_after_commit(self, city, heard, django_capture_on_commit_callbacks):
        workflow = workflow_definition_create(city=city, key="case", name="Case", definition=DEFINITION, actor=None)
        official = make_user("o", city=city, roles=["official"])
        case = Case(city=city, title="Kasus")
        workflow_start(subject=case, workflow=workflow)
        case.save()
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                workflow_transition(subject=case, action="verify", actor=official)
                assert heard == []  # not before the commit
        assert [(e.name, e.subject_id, e.data["from"], e.data["to"]) for e in heard] == [
            ("testapp.case.transition", str(case.pk), "submitted", "verified")]

    def test_no_event_when_the_transaction_rolls_back(self, city, admin, heard, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                module_set_enabled(city=city, module_id="permits", enabled=False, actor=admin)
                raise RuntimeError("something later failed")
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True):
            module_set_enabled(city=city, module_id="permits", enabled=False, actor=admin)
            module_config_set(city=city, module_id="core", actor=admin, values={"map_attribution": "Pemkot"})
        assert [e.name for e in heard] == ["core.module.disabled", "core.module.configured"]

    def test_a_failing_subscriber_does_not_silence_the_others(self, city, admin, heard,
                                                            django_capture_on_commit_callbacks):
        def broken(event):
            raise ValueError("webhook down")

        events.subscribe("core.module.disabled", broken)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                module_set_enabled(city=city, module_id="permits", enabled=False, actor=admin)
        finally:
            events.unsubscribe("core.module.disabled", broken)
        assert [e.name for e in heard] == ["core.module.disabled"]
