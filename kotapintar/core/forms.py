from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from kotapintar.core import modules
from kotapintar.core.models import City, CityDayOff, Department
from kotapintar.core.providers import ConfigSchema


class RegisterForm(BaseUserCreationForm):
    class Meta:
        model = get_user_model()
        fields = ["username", "full_name", "email", "nik", "phone"]
        help_texts = {"nik": _("16 digits, as on your KTP. Optional; never shown to the public.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["full_name"].required = True

    def validate_unique(self):
        """Whether a NIK is registered is not said here (user_register handles a registered NIK)."""
        try:
            self.instance.validate_unique(exclude={*self._get_validation_exclusions(), "nik"})
        except forms.ValidationError as exc:
            self._update_errors(exc)


class OtpTokenForm(forms.Form):
    token = forms.CharField(label=_("6-digit code from your authenticator app"), max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class MembershipForm(forms.Form):
    username = forms.CharField(label=_("Username"))
    role = forms.ChoiceField(label=_("Role"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = sorted(modules.all_roles().items(), key=lambda item: str(item[1]))
        self.fields["department"].queryset = Department.objects.filter(city=city)

    def clean_username(self):
        try:
            return get_user_model().objects.get(username=self.cleaned_data["username"])
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(_("No account with this username.")) from None


class DayOffForm(forms.ModelForm):
    class Meta:
        model = CityDayOff
        fields = ["date", "name"]
        labels = {"date": _("Date"), "name": _("Name")}
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class CitySettingsForm(forms.ModelForm):
    logo_upload = forms.FileField(label=_("New logo (PNG or JPEG, at most 512 KB)"), required=False)

    class Meta:
        model = City
        fields = ["name", "timezone", "primary_color", "secondary_color", "contact_email", "contact_phone",
                  "address", "website"]
        labels = {"primary_color": _("Primary colour"), "secondary_color": _("Secondary colour"),
                  "contact_email": _("Contact e-mail"), "contact_phone": _("Contact phone"),
                  "address": _("Address"), "website": _("Website")}
        widgets = {"primary_color": forms.TextInput(attrs={"type": "color"}),
                   "secondary_color": forms.TextInput(attrs={"type": "color"})}


class CityDomainForm(forms.Form):
    domain = forms.RegexField(label=_("Custom domain"), max_length=253,
                              regex=r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$",
                              error_messages={"invalid": _("Enter a domain name such as layanan.kotaku.go.id.")})


def module_config_form(schema: ConfigSchema, values: dict, data=None, prefix: str = "") -> forms.Form:
    """The form of a module's settings (its ConfigSchema). Secrets are never put back into the page:
    their box stays empty, and left empty keeps the saved secret. The service validates the values."""
    fields = {}
    for f in schema.fields:
        common = {"label": f.label, "help_text": f.help, "required": False}
        if f.kind == "boolean":
            field = forms.BooleanField(**common)
        elif f.kind == "choice":
            field = forms.ChoiceField(choices=[("", "—"), *f.choices], **common)
        elif f.kind == "integer":
            field = forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
        elif f.kind == "secret":
            secret_help = _("Saved (not shown); leave empty to keep it.") if values.get(f.key) else _("Not set.")
            field = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    **{**common, "help_text": f"{f.help} {secret_help}".strip()})
        else:
            field = forms.CharField(**common)
        fields[f.key] = field
    initial = {f.key: values.get(f.key) for f in schema.fields if f.kind != "secret"}
    form_class = type("ModuleConfigForm", (forms.Form,), fields)
    return form_class(data=data, initial=initial, prefix=prefix)
