"""Forms of the officials' and administrators' pages. They only shape the input; the services validate
it (questions_validate, category_save, service_standard_save) and their messages are shown as they are."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.complaints.services.categories import LIST_TYPES
from kotapintar.core.models import Department

QUESTION_TYPE_CHOICES = [
    ("string", _("Short text")),
    ("text", _("Long text")),
    ("number", _("Number")),
    ("datetime", _("Date and time")),
    ("singlevaluelist", _("Choose one")),
    ("multivaluelist", _("Choose several")),
]


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("Code (Open311 service_code)"), max_length=40,
                           help_text=_("Letters, digits and dashes; it never changes once saved."))
    name = forms.CharField(label=_("Name"), max_length=120)
    group = forms.CharField(label=_("Group"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    keywords = forms.CharField(label=_("Keywords (help citizens find it)"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("Responsible department"), queryset=Department.objects.none())
    active = forms.BooleanField(label=_("Active (citizens can choose it)"), required=False, initial=True)

    def __init__(self, *args, city, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(city=city)
        if editing:
            self.fields["code"].disabled = True


class QuestionForm(forms.Form):
    """One extra question of a category (also an Open311 attribute). List values are written one per
    line as `key=Name`."""

    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    label = forms.CharField(label=_("Question"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=QUESTION_TYPE_CHOICES, initial="string")
    required = forms.BooleanField(label=_("Required"), required=False)
    values = forms.CharField(label=_("Options (one per line: key=Name)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": "kecil=Kecil\nbesar=Besar"}))
    help = forms.CharField(label=_("Help text"), max_length=200, required=False)

    def clean_values(self):
        values = []
        for number, line in enumerate(self.cleaned_data["values"].splitlines(), 1):
            if not line.strip():
                continue
            key, _sep, name = line.partition("=")
            if not key.strip():
                raise forms.ValidationError(_("Line %(n)d needs a key before the “=”.") % {"n": number})
            values.append({"key": key.strip(), "name": name.strip() or key.strip()})
        return values

    def question(self) -> dict:
        data = self.cleaned_data
        item = {"code": data["code"].strip(), "label": data["label"].strip(), "type": data["type"],
                "required": data["required"], "help": data["help"].strip()}
        if data["type"] in LIST_TYPES:
            item["values"] = data["values"]
        return item

    @staticmethod
    def initial_of(question: dict) -> dict:
        return {**{k: question.get(k, "") for k in ("code", "label", "type", "help")},
                "required": bool(question.get("required")),
                "values": "\n".join(f"{v['key']}={v['name']}" for v in question.get("values", []))}


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True)


def questions_of(formset) -> list[dict]:
    """The filled-in rows of a valid question formset, in order, without the deleted ones."""
    return [form.question() for form in formset.forms
            if (form.cleaned_data.get("code") or form.cleaned_data.get("label") or form.has_changed())
            and not form.cleaned_data.get("DELETE")]


class ServiceStandardForm(forms.Form):
    """Every element of a public service standard (PermenPANRB 15/2014)."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Service"), max_length=200)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    requirements = forms.CharField(label=_("Requirements (one per line)"), widget=forms.Textarea(attrs={"rows": 4}))
    procedure = forms.CharField(label=_("Procedure (one step per line)"), widget=forms.Textarea(attrs={"rows": 4}))
    service_time = forms.CharField(label=_("Completion time"), max_length=120)
    cost = forms.CharField(label=_("Cost / tariff"), max_length=200)
    product = forms.CharField(label=_("Service product"), max_length=200)
    complaint_channel = forms.CharField(label=_("Complaint channel"), max_length=300)
    active = forms.BooleanField(label=_("Published"), required=False, initial=True)

    field_order = ["code", "name", "department", "service_time", "cost", "product", "requirements", "procedure",
                   "complaint_channel", "active"]

    def __init__(self, *args, city, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(city=city)
        if editing:
            self.fields["code"].disabled = True


class Open311KeyForm(forms.Form):
    name = forms.CharField(label=_("Client name (who will use the key)"), max_length=120)
