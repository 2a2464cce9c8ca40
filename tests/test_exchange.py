"""Configuration exchange across modules, the way the inter-city network uses it: Bandung's permit types,
complaint categories and service standards exported with natural keys and hashes, previewed and adopted
by Manado (departments matched by kind), re-imported without change, changed items reported field by
field. Also the public service catalogue with the permit types of the permits module. (This file sits
outside the module packages: it may use several modules, which a module itself may not.)"""

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from kotapintar.complaints.demo import load_demo as complaints_demo
from kotapintar.complaints.models import ComplaintCategory, ServiceStandard
from kotapintar.core.demo import DEPARTMENTS
from kotapintar.core.models import AuditEntry, Department, WorkflowDefinition
from kotapintar.core.services.cities import department_create
from kotapintar.core.services.exchange import city_export, content_hash, exchange_apply, exchange_preview
from kotapintar.core.testing import make_city, make_user, set_module
from kotapintar.permits.demo import install_standard_types
from kotapintar.permits.models import PermitType

pytestmark = pytest.mark.django_db


def with_departments(city, skip=()):
    for code, short, name, urusan in DEPARTMENTS:
        if code not in skip:
            department_create(city=city, code=code, short_name=short, name=name, bidang_urusan=urusan, actor=None)
    return city


@pytest.fixture
def bandung():
    city = with_departments(make_city("32.73", "bandung"))
    install_standard_types(city)
    complaints_demo(city, [])
    return city


@pytest.fixture
def manado():
    return with_departments(make_city("71.71", "manado"))


@pytest.fixture
def admin(manado):
    return make_user("admin.manado", city=manado, roles=["city_admin"])


def by_key(items):
    return {item.key: item for item in items}


def test_bandungs_configuration_as_items(bandung):
    items = by_key(city_export(bandung))
    assert {"permit_type:pbg", "permit_type:sip", "complaint_category:jalan-rusak", "service_standard:uji-kir"} \
        <= set(items)
    pbg = items["permit_type:pbg"]
    assert pbg.data["department_kind"] == "DPMPTSP" and pbg.data["sla_days"] == 10
    assert pbg.data["fee_formula"] == "luas_bangunan * indeks_lokasi * 10000"
    assert pbg.data["number_format"] == "503/{seq}/PBG/{code}/{year}"
    assert "{fungsi_bangunan}" in pbg.data["certificate_template"]
    assert [f["name"] for f in pbg.data["form_schema"]][:2] == ["alamat_bangunan", "lokasi"]
    assert pbg.data["documents"][0]["key"] == "ktp"
    assert [s["state"] for s in pbg.data["workflow"]["definition"]["states"]][:2] == ["draft", "submitted"]
    assert set(pbg.requires) == {"module:permits", "department_kind:DPMPTSP", "role:permit_verifier",
                                 "role:permit_inspector", "role:permit_head"}
    assert pbg.content_hash == content_hash(pbg.data) and len(pbg.content_hash) == 64
    road = items["complaint_category:jalan-rusak"]
    assert road.data["department_kind"] == "PUPR" and road.data["questions"][0]["code"] == "ukuran"
    assert set(road.requires) == {"module:complaints", "department_kind:PUPR"}
    assert by_key(city_export(bandung, keys=["permit_type:sip"])).keys() == {"permit_type:sip"}
    set_module(bandung, "permits", False)
    assert not [key for key in by_key(city_export(bandung)) if key.startswith("permit_type:")]


def test_round_trip_bandung_to_manado(bandung, manado, admin):
    items = city_export(bandung)
    preview = exchange_preview(city=manado, items=items)
    assert {row["action"] for row in preview} == {"add"} and not any(row["missing"] for row in preview)

    exchange_apply(city=manado, items=items, actor=admin)
    pbg = PermitType.objects.get(city=manado, code="pbg")
    assert pbg.department == Department.objects.get(city=manado, code="DPMPTSP")
    assert pbg.workflow.city == manado and pbg.number_format == "503/{seq}/PBG/{code}/{year}"
    road = ComplaintCategory.objects.get(city=manado, code="jalan-rusak")
    assert road.department.code == "PUPR" and road.questions[0]["code"] == "ukuran"
    assert ServiceStandard.objects.filter(city=manado).count() == ServiceStandard.objects.filter(city=bandung).count()
    # Manado now has exactly Bandung's configuration: the same items with the same hashes.
    assert {i.key: i.content_hash for i in city_export(manado)} == {i.key: i.content_hash for i in items}
    assert AuditEntry.objects.filter(city=manado, action="exchange.apply", actor=admin).count() == 1

    # Importing the same package again changes nothing.
    audit_entries, workflows = AuditEntry.objects.filter(city=manado).count(), WorkflowDefinition.objects.count()
    assert {row["action"] for row in exchange_preview(city=manado, items=items)} == {"same"}
    exchange_apply(city=manado, items=items, actor=admin)
    assert (AuditEntry.objects.filter(city=manado).count(), WorkflowDefinition.objects.count()) == (
        audit_entries, workflows)


def test_a_changed_item_is_reported_field_by_field_and_updated(bandung, manado, admin):
    exchange_apply(city=manado, items=city_export(bandung, keys=["permit_type:pbg"]), actor=admin)
    PermitType.objects.filter(city=bandung, code="pbg").update(sla_days=12, fee_description="Menurut luas")
    [changed] = city_export(bandung, keys=["permit_type:pbg"])

    [row] = exchange_preview(city=manado, items=[changed])
    assert row["action"] == "change" and row["key"] == "permit_type:pbg"
    assert row["changes"] == {
        "fee_description": {"from": "Retribusi = luas bangunan (m²) × indeks lokasi × Rp10.000", "to": "Menurut luas"},
        "sla_days": {"from": 10, "to": 12}}
    exchange_apply(city=manado, items=[changed], actor=admin)
    assert PermitType.objects.get(city=manado, code="pbg").sla_days == 12


def test_a_changed_workflow_becomes_a_new_version(bandung, manado, admin):
    [pbg] = city_export(bandung, keys=["permit_type:pbg"])
    exchange_apply(city=manado, items=[pbg], actor=admin)
    states = pbg.data["workflow"]["definition"]["states"]
    states[1]["sla_days"] = 1
    changed = dataclasses.replace(pbg, data=pbg.data, content_hash=content_hash(pbg.data))
    [row] = exchange_preview(city=manado, items=[changed])
    assert list(row["changes"]) == ["workflow"]
    exchange_apply(city=manado, items=[changed], actor=admin)
    workflow = PermitType.objects.get(city=manado, code="pbg").workflow
    assert (workflow.version, workflow.definition["states"][1]["sla_days"]) == (2, 1)


def test_a_department_of_another_code_is_mapped_and_a_missing_one_refused(bandung, admin):
    palu = with_departments(make_city("72.71", "palu"), skip=("DPMPTSP", "PUPR"))
    one_stop = department_create(city=palu, code="DPM-PTSP", short_name="DPMPTSP", name="DPMPTSP Kota Palu",
                                 actor=None)
    items = city_export(bandung, keys=["permit_type:sip", "complaint_category:jalan-rusak"])
    missing = {row["key"]: row["missing"] for row in exchange_preview(city=palu, items=items)}
    assert missing == {"permit_type:sip": ["department_kind:DPMPTSP"],
                       "complaint_category:jalan-rusak": ["department_kind:PUPR"]}
    with pytest.raises(ValidationError, match="department_kind:DPMPTSP, department_kind:PUPR"):
        exchange_apply(city=palu, items=items, actor=None)
    assert not PermitType.objects.filter(city=palu).exists()  # all or nothing

    mapping = {"department_kind:DPMPTSP": "DPM-PTSP"}
    sip = [item for item in items if item.key == "permit_type:sip"]
    exchange_apply(city=palu, items=sip, actor=None, mapping=mapping)
    assert PermitType.objects.get(city=palu, code="sip").department == one_stop
    assert exchange_preview(city=palu, items=sip, mapping=mapping)[0]["action"] == "same"


def test_a_switched_off_module_or_a_tampered_item_is_refused(bandung, manado):
    [sip] = city_export(bandung, keys=["permit_type:sip"])
    tampered = dataclasses.replace(sip, data={**sip.data, "fee_formula": "1000000"})
    with pytest.raises(ValidationError, match="hash does not match"):
        exchange_preview(city=manado, items=[tampered])
    set_module(manado, "permits", False)
    with pytest.raises(ValidationError, match="permit_type"):
        exchange_preview(city=manado, items=[sip])


def test_the_public_service_catalogue_lists_the_permit_types(client, bandung):
    page = client.get("/bandung/complaints/services/").content.decode()
    assert "Persetujuan Bangunan Gedung (PBG)" in page and "Pengujian berkala kendaraan bermotor" in page
    assert "/bandung/permits/types/pbg/" in page
    api = client.get("/api/v1/cities/bandung/complaints/services/").json()
    assert {e["source"] for e in api} == {"complaints", "permits"}
    set_module(bandung, "permits", False)
    assert "Persetujuan Bangunan Gedung" not in client.get("/bandung/complaints/services/").content.decode()
