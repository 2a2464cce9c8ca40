"""Pages of the permits module: catalogue, application, timeline, payment, inbox, status, verification."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotapintar.core.layout import render_public
from kotapintar.core.models import Membership
from kotapintar.core.permissions import city_role_required
from kotapintar.core.selectors import user_has_role, workflow_definition
from kotapintar.core.services.workflow import WorkflowConflict
from kotapintar.core.workflow import actions_for, deadline_flag, state_label, states, timeline
from kotapintar.permits.forms import ApplicationDataForm, PermitTypeForm, SurveyForm
from kotapintar.permits.models import Invoice, Permit, PermitApplication, PermitType
from kotapintar.permits.selectors import (
    application_status_row,
    applications_of,
    inbox_rows,
    permit_type_catalogue,
    permit_type_names,
    permit_type_steps,
)
from kotapintar.permits.services import applications as svc
from kotapintar.permits.services.issuance import permit_revoke, permit_status
from kotapintar.permits.services.payments import (
    demo_bank_enabled,
    payment_callback_process,
    simulated_bank_callback,
)
from kotapintar.permits.services.surveys import survey_submit
from kotapintar.permits.services.types import EDITABLE, permit_type_save


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def catalogue(request, city):
    return render(request, "permits/catalogue.html", {"types": permit_type_catalogue(city=request.city)})


def type_detail(request, city, code):
    permit_type = get_object_or_404(permit_type_catalogue(city=request.city), code=code)
    return render(request, "permits/type_detail.html", {"type": permit_type,
                                                        "steps": permit_type_steps(permit_type)})


@require_POST
def apply(request, city, code):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path.replace("/apply/", "/"))
    permit_type = get_object_or_404(permit_type_catalogue(city=request.city), code=code)
    application = svc.application_create(permit_type=permit_type, applicant=request.user)
    messages.success(request, _("Draft created. Fill in the form and upload the documents, then submit."))
    return redirect("permits:application", city=request.city.slug, pk=application.pk)


def _application_for(request, pk) -> PermitApplication:
    if not request.user.is_authenticated:
        raise PermissionDenied
    application = get_object_or_404(
        PermitApplication.objects.select_related("permit_type", "workflow", "applicant", "city"),
        city=request.city, pk=pk)
    if application.applicant_id != request.user.pk and not user_has_role(request.user, request.city,
                                                                           *svc.OFFICIAL_ROLES):
        raise Http404
    return application


def _timeline(application):
    """Done steps (green; red for a return or rejection) named by what happened, then the current state
    in yellow while the application is not finished (a draft is not submitted yet, not in progress)."""
    rows = [{"item": entry, "colour": "red" if entry.to_state in ("returned", "rejected") else "green",
             "label": entry.event} for entry in timeline(application)]
    current = next(s for s in states(application.workflow, model=PermitApplication) if s.name == application.state)
    if not current.terminal:
        rows.append({"item": None, "colour": "yellow", "label": current.label,
                     "note": _("not submitted yet") if current.start else _("in progress")})
    return rows


def _colleagues(request) -> list:
    """Permit officials of the city, one line per person, with their role names."""
    from kotapintar.core import modules

    labels, people = modules.all_roles(), {}
    for membership in Membership.objects.filter(city=request.city, role__in=svc.OFFICIAL_ROLES).select_related("user"):
        first = people.setdefault(membership.user_id, membership)
        first.role_label = ", ".join(filter(None, [getattr(first, "role_label", ""), str(labels[membership.role])]))
    return list(people.values())


def application_detail(request, city, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    application = _application_for(request, pk)
    is_applicant = application.applicant_id == request.user.pk
    editable = None if application.state == "draft" else set(application.return_fields)
    can_edit = is_applicant and application.state in ("draft", "returned")
    form = ApplicationDataForm(request.POST or None, schema=application.permit_type.form_schema,
                               initial={k: (f"{v['lat']}, {v['lng']}" if isinstance(v, dict) else v)
                                        for k, v in application.data.items()},
                               editable=editable if can_edit else set())
    if request.method == "POST" and can_edit:
        try:
            if form.is_valid():
                svc.application_update(application=application, actor=request.user, data=form.data_for_service())
                for requirement in application.permit_type.documents:
                    upload = request.FILES.get(f"doc_{requirement['key']}")
                    if upload:
                        svc.application_document_add(application=application, actor=request.user,
                                                     key=requirement["key"], file=upload)
                application.refresh_from_db()
                if "submit" in request.POST:
                    svc.application_submit(application=application, actor=request.user)
                    messages.success(request, _("Submitted. Keep your registration number to follow it."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("permits:application", city=request.city.slug, pk=application.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    if field in form.fields:
                        form.add_error(field, errors)
                    else:
                        for message in errors:
                            messages.error(request, message)
            else:
                _errors(request, exc)
    documents = {d.kind: d for d in svc.application_documents(application)}
    requirements = [{**r, "document": documents.get(r["key"]),
                     "editable": can_edit and (editable is None or r["key"] in editable)}
                    for r in application.permit_type.documents]
    return render(request, "permits/application.html", {
        "application": application, "form": form, "can_edit": can_edit, "requirements": requirements,
        "timeline": _timeline(application), "is_applicant": is_applicant,
        "actions": (actions := actions_for(application, request.user) if not is_applicant else []),
        "can_return": any(a.action == "return" for a in actions),
        "colleagues": _colleagues(request) if user_has_role(request.user, request.city, "permit_head") else [],
        "invoice": Invoice.objects.filter(application=application).first(),
        "demo_bank": demo_bank_enabled(),
        "can_revoke": user_has_role(request.user, request.city, "permit_head"),
        "permit": Permit.objects.filter(application=application).select_related("document").first(),
        "state_label": state_label(application),
        "flag": deadline_flag(application.due_at),
        "survey_form": SurveyForm() if is_applicant and application.state in ("issued", "rejected")
        and not hasattr(application, "survey") else None,
        "return_choices": [(f["name"], f.get("label", f["name"])) for f in application.permit_type.form_schema]
        + [(r["key"], r.get("label", r["key"])) for r in application.permit_type.documents],
    })


@require_POST
def application_act(request, city, pk):
    application = _application_for(request, pk)
    try:
        svc.application_act(application=application, actor=request.user, action=request.POST.get("action", ""),
                            comment=request.POST.get("comment", ""), expected_state=request.POST.get("state"),
                            return_fields=request.POST.getlist("return_fields"))
    except WorkflowConflict as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Your role may not take this action."))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("permits:application", city=request.city.slug, pk=pk)


@require_POST
def application_revoke(request, city, pk):
    application = _application_for(request, pk)
    permit = get_object_or_404(Permit, application=application)
    try:
        permit_revoke(permit=permit, actor=request.user, reason=request.POST.get("reason", ""))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The permit is revoked."))
    return redirect("permits:application", city=request.city.slug, pk=pk)


@require_POST
def application_claim(request, city, pk):
    application = _application_for(request, pk)
    assignee = None
    if request.POST.get("assignee"):
        assignee = Membership.objects.filter(city=request.city, pk=request.POST["assignee"]).first()
        assignee = assignee.user if assignee else None
    try:
        svc.application_claim(application=application, actor=request.user, assignee=assignee)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("permits:application", city=request.city.slug, pk=pk)


@require_POST
def application_survey(request, city, pk):
    application = _application_for(request, pk)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            survey_submit(application=application, actor=request.user, answers=form.answers(),
                          comment=form.cleaned_data["comment"])
            messages.success(request, _("Thank you for your feedback."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Answer all nine questions."))
    return redirect("permits:application", city=request.city.slug, pk=pk)


def my_applications(request, city):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    applications = list(applications_of(city=request.city, user=request.user))
    for application in applications:
        application.state_label = state_label(application)
    return render(request, "permits/my_applications.html", {"applications": applications})


@city_role_required(*svc.OFFICIAL_ROLES)
def inbox(request, city):
    rows = inbox_rows(city=request.city, user=request.user)
    # One reverse() for the 50 links (the pattern ends in <int:pk>/).
    link = reverse("permits:application", kwargs={"city": request.city.slug, "pk": 0}).removesuffix("0/")
    for row in rows:
        row["url"] = f"{link}{row['pk']}/"
    return render(request, "permits/inbox.html", {"rows": rows})


# The busiest public page: its few lines of HTML are made here rather than by a template.
def status_lookup(request, city):
    number = request.GET.get("number", "").strip()
    html = format_html(
        '<h1>{}</h1>\n<form method="get"><label for="number">{}</label>\n'
        '  <input id="number" name="number" value="{}" placeholder="3273-2026-000001" required>\n'
        '  <button type="submit">{}</button></form>\n',
        _("Check an application's status"), _("Registration number"), number, _("Check"))
    if number:
        row = application_status_row(city_id=request.city.pk, number=number)
        html += status_article(request.city, row) if row else format_html(
            '<p class="kp-message kp-error">{}</p>\n', _("No application with this number in this city."))
    return render_public(request, html)


def status_article(city, row: dict) -> str:
    label = state_label(workflow_definition(row["workflow_id"]), row["state"], model=PermitApplication)
    dates = _("Submitted") + ": " + _day(row["submitted_at"])
    if row["due_at"]:
        dates += " · " + _("due") + " " + _day(row["due_at"])
    return format_html(
        "<article>\n  <header>{} · {}</header>\n  <p>{}: <strong>{}</strong></p>\n  <p>{}</p>\n</article>\n",
        row["registration_number"], permit_type_names(city.pk).get(row["permit_type_id"], ""), _("Status"),
        label, dates)


def _day(moment) -> str:
    """A date as the templates' date:"d F Y" shows it, in the city's time zone (empty when unknown)."""
    if not moment:
        return ""
    day = timezone.localtime(moment)
    return f"{day.day:02d} {MONTHS[day.month]} {day.year}"


def verify(request, city, token):
    permit = get_object_or_404(Permit.objects.select_related("application__permit_type", "city"),
                               city=request.city, verification_token=token)
    return render(request, "permits/verify.html", {"permit": permit, "status": permit_status(permit)})


def bank(request, city, code):
    """The simulated bank of the demo: shows the bill and pays it with a signed gateway callback.
    Only outside production (KOTAPINTAR_DEMO_BANK), and only for the applicant."""
    if not demo_bank_enabled():
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invoice = get_object_or_404(Invoice.objects.select_related("application"), city=request.city, payment_code=code,
                                application__applicant=request.user)
    if request.method == "POST":
        body, headers = simulated_bank_callback(invoice)
        result = payment_callback_process(city=request.city, gateway_name="simulated", body=body, headers=headers)
        if result.status == 200:
            messages.success(request, _("Payment received. Your permit is issued."))
        else:
            messages.error(request, result.body.get("error", _("Payment refused.")))
        if request.user.is_authenticated and request.user.pk == invoice.application.applicant_id:
            return redirect("permits:application", city=request.city.slug, pk=invoice.application_id)
        return redirect("permits:bank", city=request.city.slug, code=code)
    return render(request, "permits/bank.html", {"invoice": invoice})


TYPE_ADMINS = ("permit_admin", "city_admin")


@city_role_required(*TYPE_ADMINS)
def type_admin_list(request, city):
    types = PermitType.objects.filter(city=request.city).select_related("department")
    return render(request, "permits/type_admin_list.html", {"types": types})


@city_role_required(*TYPE_ADMINS)
def type_admin_edit(request, city, code=None):
    """Define or change a permit type without code; nothing is saved while anything is invalid."""
    instance = get_object_or_404(PermitType, city=request.city, code=code) if code else None
    initial = {name: getattr(instance, name) for name in EDITABLE} | {"code": code} if instance else None
    form = PermitTypeForm(request.POST or None, initial=initial, city=request.city, editing=bool(instance))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        data["fee_formula"] = data["fee_formula"] or ""
        try:
            saved = permit_type_save(city=request.city, actor=request.user, code=code or form.cleaned_data["code"],
                                     instance=instance, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Permit type “%(name)s” saved.") % {"name": saved.name})
            return redirect("permits:type_admin", city=request.city.slug)
    return render(request, "permits/type_admin_form.html", {"form": form, "instance": instance})
