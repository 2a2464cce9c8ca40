"""Forms of the citizens' pages. They only shape the input; complaint_create and the other services
check everything else (location in the city, answers to the category's questions, photos, limits)."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kotapintar.complaints.models import Complaint
from kotapintar.complaints.services.photos import MAX_PHOTOS

# Translated when the form is shown, in the visitor's language (not once when the module is loaded).
PHOTOS_LABEL = lazy(lambda: gettext("Photos (up to %(n)d, JPEG or PNG)") % {"n": MAX_PHOTOS}, str)()


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to MAX_PHOTOS files from one input; their content is checked by the service."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos per report.") % {"n": MAX_PHOTOS})
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """A new report. `categories` are the city's active categories; the choice list is grouped."""

    category = forms.ChoiceField(label=_("What is the problem?"))
    description = forms.CharField(label=_("Describe it"), max_length=4000, widget=forms.Textarea(attrs={
        "rows": 3, "placeholder": _("For example: a deep pothole in the middle of the road, motorbikes fall in.")}))
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address or landmark"), required=False, max_length=255,
                              help_text=_("Street, number, kelurahan or kecamatan. Without a pin, name the "
                                          "kelurahan or kecamatan."),
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    photos = MultiplePhotoField(label=PHOTOS_LABEL, required=False,
                                widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png"}))
    visibility = forms.ChoiceField(label=_("Who may see the report?"), choices=Complaint.Visibility.choices,
                                   initial=Complaint.Visibility.PUBLIC, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Your name"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail"), required=True,
                             help_text=_("We send the tracking number and a confirmation link there."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))

    def __init__(self, *args, categories, signed_in: bool, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        groups: dict[str, list] = {}
        for category in categories:
            groups.setdefault(category.group or _("Other"), []).append((category.code, category.name))
        self.fields["category"].choices = [("", _("Choose a category"))] + [
            (group, choices) for group, choices in groups.items()]
        self.categories = {c.code: c for c in categories}
        if signed_in:  # the account gives the name and e-mail address
            for name in ("name", "email", "phone"):
                del self.fields[name]

    def selected_category(self):
        return self.categories.get(self.data.get("category") or self.initial.get("category") or "")


def attributes_from(data, category) -> dict:
    """The answers to the category's questions as posted (`attribute[<code>]`, Open311's names)."""
    if category is None:
        return {}
    answers = {}
    for question in category.questions:
        key = f"attribute[{question['code']}]"
        if question["type"] == "multivaluelist":
            value = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
        else:
            value = data.get(key, "")
        if value not in (None, "", []):
            answers[question["code"]] = value
    return answers


class _NoColon:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class InfoForm(_NoColon, forms.Form):
    text = forms.CharField(label=_("What do you want to add?"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))


class RateForm(_NoColon, forms.Form):
    rating = forms.TypedChoiceField(label=_("How well was your report handled?"), coerce=int,
                                    choices=[(n, f"{'★' * n} ({n}/5)") for n in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
