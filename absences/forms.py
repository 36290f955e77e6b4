"""The browser's absence form: what a person fills in, turned into the keyword arguments of
``absence_create``/``absence_update`` (the services validate; their errors come back per field)."""

import hashlib

from django import forms

from absences.models import Absence, AbsenceType
from config.web import AccessibleForm
from people.models import User

# Recurrence presets offered to everyone; anything else is a free RRULE for experts.
PRESETS = {"weekly": "FREQ=WEEKLY", "biweekly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}
REPEAT_CHOICES = [
    ("", "Does not repeat"),
    ("weekly", "Every week"),
    ("biweekly", "Every other week"),
    ("monthly", "Every month"),
    ("custom", "Custom rule (RRULE)"),
]
# Service error attributes → form fields. Bounds depend on the kind of absence (see ``error_fields``).
ERROR_FIELDS = {"type": "type", "title": "title", "coverer": "coverer", "message": "message"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def find_user(text: str) -> User | None:
    """An active user named by username, email or id (the API's user reference), case-insensitively."""
    text = text.strip()
    people = User.objects.active()
    if text.isascii() and text.isdigit():
        return people.filter(pk=int(text)).first()
    return people.filter(username__iexact=text).first() or people.filter(email__iexact=text).first()


class AbsenceForm(AccessibleForm):
    type = forms.ChoiceField(label="Type")
    title = forms.CharField(label="Title", max_length=200, required=False)
    all_day = forms.BooleanField(label="All day", required=False)
    start_date = forms.DateField(label="Start date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="End date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.DateTimeField(
        label="Start",
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    end = forms.DateTimeField(
        label="End",
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    coverer = forms.CharField(
        label="Coverer",
        required=False,
        max_length=254,
        help_text="Who takes your work: type a name and pick a username from the suggestions.",
        widget=forms.TextInput(attrs={"list": "people-directory", "autocomplete": "off", "data-people-search": ""}),
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=2000,
        help_text="Auto-reply. Placeholders: {user}, {coverer}, {until}.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    repeats = forms.ChoiceField(label="Repeats", choices=REPEAT_CHOICES, required=False)
    rrule = forms.CharField(
        label="Recurrence rule",
        required=False,
        max_length=1000,
        help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=FR;UNTIL=20261231T000000Z",
    )
    warnings_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        types = AbsenceType.objects.filter(is_active=True).order_by("name")
        self.fields["type"].choices = [(t.key, t.name) for t in types]

    @classmethod
    def initial_for(cls, absence: Absence) -> dict:
        """The form's values for an existing absence (times in the active zone, i.e. the user's)."""
        preset = next((key for key, rule in PRESETS.items() if rule == absence.recurrence), None)
        repeats = "" if not absence.recurrence else preset or "custom"
        return {
            "type": absence.type_id,
            "title": absence.title,
            "all_day": absence.all_day,
            "start_date": absence.start_date,
            "end_date": absence.end_date,
            "start": None if absence.all_day else absence.start_at,
            "end": None if absence.all_day else absence.end_at,
            "coverer": absence.coverer.username if absence.coverer else "",
            "message": absence.message,
            "repeats": repeats,
            "rrule": absence.recurrence if repeats == "custom" else "",
        }

    def clean_coverer(self) -> User | None:
        text = self.cleaned_data["coverer"].strip()
        if not text:
            return None
        found = find_user(text)
        if found is None:
            raise forms.ValidationError("No active person with that username or email.", code="does_not_exist")
        return found

    def clean(self):
        data = super().clean()
        if data.get("repeats") == "custom" and not (data.get("rrule") or "").strip():
            self.add_error("rrule", "Give the recurrence rule, or choose a preset.")
        return data

    def service_fields(self) -> dict:
        """Keyword arguments for the absence services."""
        data = self.cleaned_data
        repeats = data.get("repeats") or ""
        recurrence = data["rrule"].strip() if repeats == "custom" else PRESETS.get(repeats, "")
        fields = {
            "type": data["type"],
            "title": data["title"],
            "coverer": data["coverer"],
            "message": data["message"],
            "recurrence": recurrence,
        }
        if data["all_day"]:
            return {**fields, "start_date": data["start_date"], "end_date": data["end_date"] or data["start_date"]}
        return {**fields, "start_at": data["start"], "end_at": data["end"]}

    def error_fields(self) -> dict[str, str]:
        """Where each service error attribute shows on this form."""
        all_day = self.cleaned_data.get("all_day")
        bounds = {
            "start_date": "start_date" if all_day else "start",
            "end_date": "end_date" if all_day else "end",
            "start_at": "start_date" if all_day else "start",
            "end_at": "end_date" if all_day else "end",
            "recurrence": "rrule" if self.cleaned_data.get("repeats") == "custom" else "repeats",
        }
        return {**ERROR_FIELDS, **bounds}


def warnings_signature(warnings: list[dict]) -> str:
    """A short fingerprint of the warnings a person has been shown, so saving after seeing them
    goes through and a new warning (changed input) is shown first."""
    text = "\n".join(sorted(f"{w['code']}:{w['detail']}" for w in warnings))
    return hashlib.sha256(text.encode()).hexdigest()[:16] if warnings else ""
