"""Reports: filing (web, REST API, Open311), confirmation, officials' handling, the reporter's part
(more information, reopen, rating), support for an existing report, merging duplicates, moderation.

Every function validates everything before it writes, writes in one transaction with its audit entry,
and tells the reporter after commit.
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kotapintar.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintIntake,
    ComplaintSupport,
    ComplaintUpdate,
    Open311Key,
)
from kotapintar.complaints.services.categories import attributes_clean
from kotapintar.complaints.services.limits import rate_limit_check
from kotapintar.complaints.services.photos import photos_clean
from kotapintar.complaints.workflow import CLOSED_STATES, HANDLERS, OPEN_STATES, SUPERVISOR, VERIFIER
from kotapintar.core import geo
from kotapintar.core.models import City, Department, District, Village
from kotapintar.core.selectors import user_has_role, user_roles, workflow_definition
from kotapintar.core.services.audit import audit_record, audit_record_many
from kotapintar.core.services.documents import document_store
from kotapintar.core.services.notifications import notification_send_many
from kotapintar.core.services.workflow import workflow_start, workflow_transition
from kotapintar.core.workflow import state_label

OFFICIAL_ROLES = (*HANDLERS, "complaint_admin")
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
DESCRIPTION_MAX = 4000
NEARBY_METRES = 50


def tracking_number_new() -> str:
    code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return f"LP-{code[:4]}-{code[4:]}"


def _clean_contact(reporter, name: str, email: str, phone: str) -> tuple[str, str, str]:
    name, email, phone = (name or "").strip()[:150], (email or "").strip().lower(), (phone or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if phone and not phone.lstrip("+").replace(" ", "").replace("-", "").isdigit():
        raise ValidationError({"phone": [_("Enter a phone number with digits only.")]})
    if reporter is None and not email:
        raise ValidationError({"email": [_("Without an account, give your e-mail address: we send the tracking "
                                           "number and the confirmation link there.")]})
    return name, email, phone[:20]


def _place(city: City, lat, lng, address: str, district, village) -> tuple[float, float, District, Village]:
    """The point, kecamatan and kelurahan of a report. Without a pin, an address that names a
    kelurahan or kecamatan of the city places the report at its centroid."""
    if lat in (None, "") or lng in (None, ""):
        found = geo.address_locate(city, address) if address else geo.Place(None, None)
        spot = next((p for p in (found.village, found.district) if p is not None and p.lat is not None), None)
        if spot is None:
            raise ValidationError({"location": [_("Put a pin on the map, or write an address that names the "
                                                  "kelurahan or kecamatan.")]})
        return spot.lat, spot.lng, found.district, found.village
    lat, lng = geo.point_parse(lat, lng)
    if not geo.city_contains(city, lat, lng):
        raise ValidationError({"location": [_("This place is outside %(city)s. Report it to the city where it "
                                              "is.") % {"city": city.name}]})
    if village is not None and village.city_id != city.pk or district is not None and district.city_id != city.pk:
        raise ValidationError({"location": [_("Choose a kecamatan and kelurahan of this city.")]})
    if village is not None:
        district = village.district
    if district is None:
        found = geo.address_locate(city, address) if address else geo.Place(None, None)
        if found.district is None:
            found = geo.locate(city, lat, lng)
        district, village = found.district, found.village
    return lat, lng, district, village


def complaint_prepare(
    *, city: City, category: ComplaintCategory, description: str, lat, lng, address: str = "",
    attributes: dict | None = None, visibility: str = Complaint.Visibility.PUBLIC, reporter=None,
    reporter_name: str = "", reporter_email: str = "", reporter_phone: str = "", device_id: str = "",
    photos=(), source: str = Complaint.Source.WEB, api_key=None, client_ip: str = "",
    district: District | None = None, village: Village | None = None, now=None, check_limits: bool = True,
) -> tuple[Complaint, list]:
    """Check everything about a new report (and count it against the rate limits): the unsaved report,
    in its first workflow state, and its cleaned photos. Writes nothing to the database."""
    reporter = reporter if getattr(reporter, "is_authenticated", False) else None
    if category.city_id != city.pk or not category.active:
        raise ValidationError({"category": [_("Choose one of this city's categories.")]})
    description = (description or "").strip()
    if len(description) < 10:
        raise ValidationError({"description": [_("Describe the problem in a few words (at least 10 letters).")]})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": [_("The description is too long (at most %(n)d characters).")
                                               % {"n": DESCRIPTION_MAX}]})
    if visibility not in Complaint.Visibility.values:
        raise ValidationError({"visibility": [_("Choose who may see the report.")]})
    cleaned_attributes = attributes_clean(category, attributes)
    # The e-mail address carries the confirmation link; a report through an Open311 key needs none.
    name, email, phone = _clean_contact(reporter or api_key, reporter_name, reporter_email, reporter_phone)
    lat, lng, district, village = _place(city, lat, lng, (address or "").strip(), district, village)
    clean_photos = photos_clean(photos)
    person = f"u{reporter.pk}" if reporter else (email or phone or device_id)
    if check_limits:  # off only for trusted loaders (demo data, benchmarks)
        rate_limit_check(city=city, sources={"person": person, "address": "" if api_key else client_ip,
                                                   "api_key": str(api_key.pk) if api_key else ""})

    now = now or timezone.now()
    confirmed = reporter is not None or api_key is not None
    complaint = Complaint(
        city=city, category=category, department_id=category.department_id, description=description,
        attributes=cleaned_attributes, visibility=visibility, lat=lat, lng=lng, address=(address or "").strip()[:255],
        district=district, village=village, reporter=reporter, reporter_name=name or getattr(reporter, "full_name", ""),
        reporter_email=email or getattr(reporter, "email", ""), reporter_phone=phone, device_id=device_id[:100],
        source=source, api_key=api_key, created_at=now, updated_at=now,
        confirm_code="" if confirmed else secrets.token_urlsafe(24),
    )
    workflow_start(subject=complaint, workflow=workflow_definition(category.workflow_id), now=now,
                   state="submitted" if confirmed else None)
    return complaint, clean_photos


def complaint_create(**fields) -> Complaint:
    """File a report (the fields of complaint_prepare). With an account (or through a city's Open311
    client) it is submitted at once; without one it waits for the confirmation link sent to the e-mail
    address."""
    complaint, clean_photos = complaint_prepare(**fields)
    city, reporter = complaint.city, complaint.reporter
    for _attempt in range(5):  # without a savepoint per insert: a tracking number drawn twice retries the whole
        complaint.tracking_number = tracking_number_new()
        try:
            with transaction.atomic():
                complaint.save(force_insert=True)
                for photo in clean_photos:
                    document = document_store(city=city, uploaded_by=reporter, file=photo, kind="photo",
                                              subject=complaint)
                    complaint.photo = complaint.photo or document
                if complaint.photo:
                    complaint.save(update_fields=["photo"])
                audit_record(city=city, actor=_filer(complaint), action="complaint.create", target=complaint,
                             data=_created_data(complaint, len(clean_photos)))
            break
        except IntegrityError:
            complaint.pk = complaint.photo = None
            if not Complaint.objects.filter(city=city, tracking_number=complaint.tracking_number).exists():
                raise
    else:
        raise IntegrityError("No free tracking number after 5 attempts.")
    transaction.on_commit(lambda: _notify_created(complaint))
    return complaint


def _filer(complaint: Complaint):
    return complaint.reporter or (complaint.api_key and f"open311:{complaint.api_key.name}") or "citizen"


def _created_data(complaint: Complaint, photos: int) -> dict:
    return {"tracking_number": complaint.tracking_number, "category": complaint.category.code,
            "source": complaint.source, "state": complaint.state, "photos": photos}


# -- Open311 intake: answer at once with a token, file in batches ----------------------------------
_INTAKE_FIELDS = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
INTAKE_FLAG = "kp:complaints:intake-scheduled"


def complaint_intake(**fields) -> ComplaintIntake:
    """Check a report without photos as complaint_create does, and queue it: the Open311 client gets
    the token now and the tracking number from tokens/{token} once a worker has filed it
    (complaints_file_pending, in batches: one insert and one audit-chain lock per batch)."""
    complaint, _photos = complaint_prepare(**fields, photos=())
    data = {f.attname: getattr(complaint, f.attname) for f in _INTAKE_FIELDS}
    intake = ComplaintIntake.objects.create(city_id=complaint.city_id, token=complaint.token, data=data)
    transaction.on_commit(_intake_schedule)
    return intake


def _intake_schedule() -> None:
    """One task at a time files what is waiting (the flag is shared when the cache is Redis)."""
    from kotapintar.complaints.tasks import complaints_file_pending_task

    if cache.add(INTAKE_FLAG, 1, 30):
        complaints_file_pending_task.delay()


def complaints_file_pending(limit: int = 500) -> int:
    """File up to `limit` queued Open311 reports, oldest first, in one transaction; returns how many.
    Workers may run side by side: each takes intakes no other has locked."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                intakes = list(ComplaintIntake.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
                if not intakes:
                    return 0
                complaints = _file_batch(intakes)
                ComplaintIntake.objects.filter(pk__in=[i.pk for i in intakes]).delete()
                notification_send_many([m for m in map(_created_message, complaints) if m])
            return len(intakes)
        except IntegrityError:  # a tracking number drawn twice: draw them all again
            continue
    raise IntegrityError("No free tracking numbers after 5 attempts.")


def _file_batch(intakes: list[ComplaintIntake]) -> list[Complaint]:
    complaints = [Complaint(**{f.attname: f.to_python(intake.data[f.attname])
                                 for f in _INTAKE_FIELDS if f.attname in intake.data}) for intake in intakes]
    cities = City.objects.in_bulk({c.city_id for c in complaints})
    categories = ComplaintCategory.objects.in_bulk({c.category_id for c in complaints})
    keys = Open311Key.objects.in_bulk({c.api_key_id for c in complaints} - {None})
    for complaint in complaints:
        complaint.tracking_number = tracking_number_new()
        complaint.city, complaint.category = cities[complaint.city_id], categories[complaint.category_id]
        complaint.api_key = keys.get(complaint.api_key_id)
    Complaint.objects.bulk_create(complaints)
    for city_id in sorted(cities):  # chains locked in one order: workers side by side cannot deadlock
        audit_record_many(city=cities[city_id], records=[
            (_filer(c), "complaint.create", c, _created_data(c, 0)) for c in complaints if c.city_id == city_id])
    return complaints


def public_url(path: str) -> str:
    return settings.KOTAPINTAR_PUBLIC_URL.rstrip("/") + path


def _notify_created(complaint: Complaint) -> None:
    message = _created_message(complaint)
    if message:
        notification_send_many([message])


def _created_message(complaint: Complaint) -> dict | None:
    """The e-mail that confirms a new report (or asks to confirm it), for notification_send_many."""
    city = complaint.city
    with translation.override((complaint.reporter and complaint.reporter.language) or city.locale):
        track = public_url(reverse("complaints:detail", kwargs={"city": city.slug,
                                                                 "tracking": complaint.tracking_number}))
        if complaint.state == "unconfirmed":
            confirm = public_url(reverse("complaints:confirm", kwargs={"city": city.slug,
                                                                        "tracking": complaint.tracking_number,
                                                                        "code": complaint.confirm_code}))
            subject = _("Confirm your report %(n)s") % {"n": complaint.tracking_number}
            body = _("Thank you for your report to %(city)s.\nOpen this link to confirm it, so that it is sent to "
                     "the officials:\n%(confirm)s\n\nFollow it here: %(track)s") % {
                "city": city.name, "confirm": confirm, "track": track}
        else:
            subject = _("Your report %(n)s was received") % {"n": complaint.tracking_number}
            body = _("Thank you for your report to %(city)s (%(category)s).\nTracking number: %(n)s\n"
                     "Follow it here: %(track)s") % {"city": city.name, "category": complaint.category.name,
                                                     "n": complaint.tracking_number, "track": track}
    return _message(complaint, subject, body)


def _message(complaint: Complaint, subject: str, body: str) -> dict | None:
    if complaint.reporter_id:
        return {"user": complaint.reporter, "city": complaint.city, "subject": subject, "body": body}
    if complaint.reporter_email:
        return {"recipient": complaint.reporter_email, "city": complaint.city, "subject": subject, "body": body}
    return None


def _send(complaint: Complaint, subject: str, body: str) -> None:
    message = _message(complaint, subject, body)
    if message:
        notification_send_many([message])


def complaint_confirm(*, complaint: Complaint, code: str) -> Complaint:
    """The link in the e-mail confirms a report filed without an account (once)."""
    if complaint.state != "unconfirmed":
        return complaint
    if not code or not secrets.compare_digest(code, complaint.confirm_code):
        raise PermissionDenied(_("This confirmation link is not valid."))
    return workflow_transition(subject=complaint, action="confirm", actor=None, system=True,
                               expected_state="unconfirmed", comment="")


# -- officials -------------------------------------------------------------------------------------
def _require_official(complaint: Complaint, actor, *roles: str) -> None:
    if not user_has_role(actor, complaint.city, *(roles or OFFICIAL_ROLES)):
        raise PermissionDenied(_("Your role may not do this."))


def _require_own_department(complaint: Complaint, actor) -> None:
    """An officer (without a city-wide complaint role) handles only their department's reports and
    those assigned to them."""
    roles = user_roles(actor, complaint.city)
    if "complaint_officer" not in roles or roles & {VERIFIER, SUPERVISOR, "complaint_admin"}:
        return
    if complaint.assigned_to_id == actor.pk:
        return
    own = actor.memberships.filter(city=complaint.city, role="complaint_officer",
                                   department_id=complaint.department_id).exists()
    if not own:
        raise PermissionDenied(_("This report belongs to another department."))


def complaint_act(*, complaint: Complaint, action: str, actor, comment: str = "",
                  expected_state: str | None = None, now=None) -> Complaint:
    """Take a workflow action (verify, start, resolve, reject, forward, close, reopen). Officials'
    comments are public replies: the reporter and, for public reports, everyone read them."""
    if action == "mark_duplicate":
        raise ValidationError(_("Use merge to mark a report as a duplicate of another."))
    _require_own_department(complaint, actor)
    now = now or timezone.now()
    due = Complaint.objects.filter(pk=complaint.pk).values_list("due_at", flat=True).first()
    with transaction.atomic():
        updated = workflow_transition(subject=complaint, action=action, actor=actor, comment=comment,
                                      expected_state=expected_state, now=now)
        if due is not None and now > due and not updated.late:  # answered after the SLA: counts as late
            Complaint.objects.filter(pk=updated.pk).update(late=True)
            updated.late = True
    return updated


def complaint_on_transition(complaint: Complaint, transition) -> None:
    """Inside the transition: keep the public history and the denormalised fields in step."""
    changed = ["updated_at"]
    complaint.updated_at = transition.created_at
    if transition.comment and transition.action != "confirm":
        complaint.status_notes = transition.comment
        changed.append("status_notes")
    if transition.to_state == "resolved":
        complaint.resolved_at = transition.created_at
        changed.append("resolved_at")
    if transition.action == "reopen":
        complaint.resolved_at, complaint.rating = None, None
        changed += ["resolved_at", "rating"]
    Complaint.objects.filter(pk=complaint.pk).update(**{f: getattr(complaint, f) for f in changed})
    ComplaintUpdate.objects.create(city=complaint.city, complaint=complaint, kind=ComplaintUpdate.Kind.STATUS,
                                   author=transition.actor, text=transition.comment, state=transition.to_state,
                                   created_at=transition.created_at)


def complaint_on_transition_notify(complaint: Complaint, transition) -> None:
    """After commit: tell the reporter (not for their own actions or the confirmation)."""
    if transition.action == "confirm" or (transition.actor_id and transition.actor_id == complaint.reporter_id):
        return
    with translation.override((complaint.reporter and complaint.reporter.language) or complaint.city.locale):
        label = state_label(complaint, transition.to_state)
        subject = _("Your report %(n)s: %(state)s") % {"n": complaint.tracking_number, "state": label}
        body = _("The status of your report is now: %(state)s.\n%(comment)s") % {"state": label,
                                                                                 "comment": transition.comment}
        _send(complaint, subject, body)


def complaint_assign(*, complaint: Complaint, actor, department: Department | None = None,
                     assignee=None) -> Complaint:
    """Route a report to a department and/or a person. Verifiers and supervisors route anything; an
    officer may take an item of their own department."""
    city = complaint.city
    roles = user_roles(actor, city)
    if not roles & {VERIFIER, SUPERVISOR, "complaint_officer"}:
        raise PermissionDenied(_("Your role may not assign reports."))
    if department is not None and department.city_id != city.pk:
        raise ValidationError({"department": [_("Choose a department of this city.")]})
    if assignee is not None:
        if not user_has_role(assignee, city, *HANDLERS):
            raise ValidationError({"assignee": [_("This person does not handle reports in this city.")]})
        if not roles & {VERIFIER, SUPERVISOR} and assignee != actor:
            raise PermissionDenied(_("Only a verifier or supervisor may assign a report to someone else."))
    if not roles & {VERIFIER, SUPERVISOR} and department is not None:
        raise PermissionDenied(_("Only a verifier or supervisor may move a report to another department."))
    if complaint.state in CLOSED_STATES:
        raise ValidationError(_("This report is finished; it can no longer be assigned."))
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        changes = {}
        if department is not None and department.pk != locked.department_id:
            locked.department, changes["department"] = department, department.code
            if assignee is None:
                locked.assigned_to = None
        if assignee is not None:
            locked.assigned_to, changes["assignee"] = assignee, assignee.username
        locked.updated_at = timezone.now()
        locked.save(update_fields=["department", "assigned_to", "updated_at"])
        audit_record(city=city, actor=actor, action="complaint.assign", target=locked, data=changes)
    return locked


def complaint_comment(*, complaint: Complaint, actor, text: str, internal: bool, photo=None) -> ComplaintUpdate:
    """An official's public reply or internal note."""
    _require_official(complaint, actor)
    _require_own_department(complaint, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the reply or note.")]})
    kind = ComplaintUpdate.Kind.NOTE if internal else ComplaintUpdate.Kind.REPLY
    clean_photo = photos_clean([photo])[0] if photo else None
    now = timezone.now()
    with transaction.atomic():
        document = document_store(city=complaint.city, uploaded_by=actor, file=clean_photo, kind="photo",
                                  subject=complaint) if clean_photo else None
        update = ComplaintUpdate.objects.create(city=complaint.city, complaint=complaint, kind=kind, author=actor,
                                                text=text[:DESCRIPTION_MAX], state=complaint.state, photo=document,
                                                created_at=now)
        fields = {"updated_at": now, **({} if internal else {"status_notes": text[:DESCRIPTION_MAX]})}
        Complaint.objects.filter(pk=complaint.pk).update(**fields)
        audit_record(city=complaint.city, actor=actor, action=f"complaint.{kind}", target=complaint,
                     data={"update": update.pk})
    if not internal:
        transaction.on_commit(lambda: _send(complaint, _("Reply to your report %(n)s") % {
            "n": complaint.tracking_number}, text))
    return update


def complaint_merge(*, complaint: Complaint, into: Complaint, actor) -> Complaint:
    """Close `complaint` as a duplicate of `into`; its reporter and supporters now follow `into`."""
    _require_official(complaint, actor, VERIFIER, SUPERVISOR)
    if into.city_id != complaint.city_id:
        raise ValidationError({"into": [_("Choose a report of this city.")]})
    if into.pk == complaint.pk or into.duplicate_of_id == complaint.pk:
        raise ValidationError({"into": [_("A report cannot be a duplicate of itself.")]})
    if into.state in CLOSED_STATES or into.state == "unconfirmed":
        raise ValidationError({"into": [_("Choose a report that is still open.")]})
    comment = _("Duplicate of report %(n)s; follow that report.") % {"n": into.tracking_number}
    with transaction.atomic():
        merged = workflow_transition(subject=complaint, action="mark_duplicate", actor=actor, comment=comment,
                                     expected_state=complaint.state)
        Complaint.objects.filter(pk=merged.pk).update(duplicate_of=into)
        merged.duplicate_of = into
        if merged.reporter_id:
            ComplaintSupport.objects.get_or_create(complaint=into, user_id=merged.reporter_id)
        for support in ComplaintSupport.objects.filter(complaint=merged):
            ComplaintSupport.objects.get_or_create(complaint=into, user_id=support.user_id)
        Complaint.objects.filter(pk=into.pk).update(
            supporters=ComplaintSupport.objects.filter(complaint=into).count(), updated_at=timezone.now())
        audit_record(city=complaint.city, actor=actor, action="complaint.merge", target=merged,
                     data={"into": into.tracking_number})
    return merged


def complaint_moderate(*, complaint: Complaint, actor, hidden: bool, reason: str,
                       update: ComplaintUpdate | None = None) -> None:
    """Hide (or show again) an abusive report or message from the public; officials still see it."""
    _require_official(complaint, actor, VERIFIER, SUPERVISOR)
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ValidationError({"reason": [_("Say why the content is hidden.")]})
    if update is not None and update.complaint_id != complaint.pk:
        raise ValidationError(_("This message belongs to another report."))
    with transaction.atomic():
        target = update or complaint
        type(target).objects.filter(pk=target.pk).update(hidden=hidden)
        target.hidden = hidden
        audit_record(city=complaint.city, actor=actor, action="complaint.moderate", target=target,
                     data={"hidden": hidden, "reason": reason, "complaint": complaint.tracking_number})


# -- the reporter and other citizens ------------------------------------------------------------
def _require_reporter(complaint: Complaint, actor) -> None:
    if not complaint.reporter_id or complaint.reporter_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who filed the report may do this."))


def complaint_add_info(*, complaint: Complaint, actor, text: str, photo=None) -> ComplaintUpdate:
    _require_reporter(complaint, actor)
    if complaint.state in CLOSED_STATES and complaint.state != "resolved":
        raise ValidationError(_("This report is finished; file a new one if the problem is back."))
    text = (text or "").strip()
    if not text and not photo:
        raise ValidationError({"text": [_("Write what you want to add, or attach a photo.")]})
    clean_photo = photos_clean([photo])[0] if photo else None
    now = timezone.now()
    with transaction.atomic():
        document = document_store(city=complaint.city, uploaded_by=actor, file=clean_photo, kind="photo",
                                  subject=complaint) if clean_photo else None
        update = ComplaintUpdate.objects.create(city=complaint.city, complaint=complaint,
                                                kind=ComplaintUpdate.Kind.INFO, author=actor,
                                                text=text[:DESCRIPTION_MAX], state=complaint.state, photo=document,
                                                created_at=now)
        Complaint.objects.filter(pk=complaint.pk).update(updated_at=now)
        audit_record(city=complaint.city, actor=actor, action="complaint.info", target=complaint,
                     data={"update": update.pk})
    return update


def complaint_rate(*, complaint: Complaint, actor, rating: int, comment: str = "") -> Complaint:
    """The reporter rates the handling (1–5 stars) once the report is resolved or closed."""
    _require_reporter(complaint, actor)
    if complaint.state not in ("resolved", "closed"):
        raise ValidationError(_("You can rate the handling once the report is resolved."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("Give 1 to 5 stars.")]})
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, rating=None).update(
            rating=rating, rating_comment=(comment or "").strip()[:2000])
        if not updated:
            raise ValidationError(_("You have already rated this report."))
        audit_record(city=complaint.city, actor=actor, action="complaint.rate", target=complaint,
                     data={"rating": rating})
    complaint.rating, complaint.rating_comment = rating, (comment or "").strip()[:2000]
    return complaint


def complaint_support(*, complaint: Complaint, user) -> Complaint:
    """"Me too": a citizen backs an open public report instead of filing a duplicate."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to support a report."))
    if complaint.state not in OPEN_STATES or not complaint.is_public:
        raise ValidationError(_("Only open public reports can be supported."))
    if complaint.reporter_id == user.pk:
        raise ValidationError(_("This is your own report."))
    with transaction.atomic():
        _support, created = ComplaintSupport.objects.get_or_create(complaint=complaint, user=user)
        if not created:
            raise ValidationError(_("You already support this report."))
        Complaint.objects.filter(pk=complaint.pk).update(supporters=F("supporters") + 1)
        audit_record(city=complaint.city, actor=user, action="complaint.support", target=complaint)
    complaint.refresh_from_db(fields=["supporters"])
    return complaint
