from django import forms
from django.utils.translation import gettext_lazy as _

WIDGETS = {
    "text": lambda f: forms.CharField(max_length=f.get("max_length", 500)),
    "number": lambda f: forms.DecimalField(min_value=f.get("min"), max_value=f.get("max")),
    "date": lambda f: forms.DateField(widget=forms.DateInput(attrs={"type": "date"})),
    "choice": lambda f: forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in f.get("choices", [])]),
    "location": lambda f: forms.CharField(
        help_text=_("Latitude, longitude — for example -6.9175, 107.6191"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "-6.9175, 107.6191"})),
}


class ApplicationDataForm(forms.Form):
    """The permit type's form, built from its schema. Only `editable` fields can be changed."""

    def __init__(self, *args, schema: list[dict], editable: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in schema:
            field = WIDGETS[spec["type"]](spec)
            field.label = spec.get("label", spec["name"])
            field.required = False  # completeness is checked on submission, drafts may be partial
            field.help_text = spec.get("help", field.help_text)
            if editable is not None and spec["name"] not in editable:
                field.disabled = True
            self.fields[spec["name"]] = field

    def data_for_service(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            if self.fields[name].disabled or value in (None, ""):
                continue
            result[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return result


class SurveyForm(forms.Form):
    QUESTIONS = [
        _("Requirements"), _("Systems, mechanisms and procedures"), _("Completion time"), _("Cost or tariff"),
        _("Product specification"), _("Staff competence"), _("Staff behaviour"),
        _("Handling of complaints, suggestions and input"), _("Facilities"),
    ]
    SCALE = [(1, _("1 — poor")), (2, _("2 — fair")), (3, _("3 — good")), (4, _("4 — very good"))]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(self.QUESTIONS, start=1):
            self.fields[f"q{index}"] = forms.TypedChoiceField(label=question, choices=self.SCALE, coerce=int,
                                                              widget=forms.RadioSelect)
        self.fields["comment"] = forms.CharField(label=_("Comment (optional)"), required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"q{i}"] for i in range(1, len(self.QUESTIONS) + 1)]


class PermitTypeForm(forms.Form):
    """Everything a permit administrator defines; the JSON parts are checked by permit_type_save."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    workflow = forms.ModelChoiceField(label=_("Workflow"), queryset=None)
    form_schema = forms.JSONField(label=_("Form fields (JSON)"), initial=list,
                                  widget=forms.Textarea(attrs={"rows": 8, "class": "kp-code"}))
    documents = forms.JSONField(label=_("Required documents (JSON)"), initial=list,
                                widget=forms.Textarea(attrs={"rows": 6, "class": "kp-code"}))
    fee_formula = forms.CharField(label=_("Fee formula (empty: free)"), required=False)
    fee_description = forms.CharField(label=_("Fee in plain words"), required=False)
    sla_days = forms.IntegerField(label=_("Published service time (working days)"), min_value=1)
    validity_days = forms.IntegerField(label=_("Validity (days, empty: no end)"), required=False, min_value=1)
    number_format = forms.CharField(label=_("Number format"), initial="503/{seq}/{code}/{year}")
    certificate_template = forms.CharField(label=_("Certificate text"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Open for applications"), required=False, initial=True)

    def __init__(self, *args, city, editing: bool, **kwargs):
        from kotapintar.core.models import Department, WorkflowDefinition

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(city=city)
        self.fields["workflow"].queryset = WorkflowDefinition.objects.filter(city=city).order_by("key", "-version")
        if editing:
            self.fields["code"].disabled = True
