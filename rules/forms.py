"""Browser forms of the rules app: a routing rule, and the person's own exclusion filter."""

from django import forms

from absences.forms import find_user
from config.web import AccessibleForm
from rules.models import Rule

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
ERROR_FIELDS = {
    "kind": "kind",
    "name": "name",
    "start_at": "start",
    "end_at": "end",
    "projects": "projects",
    "issue_types": "issue_types",
    "action": "action",
    "coverer": "coverer",
    "message": "message",
    "user": "coverer",
}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class RuleForm(AccessibleForm):
    name = forms.CharField(label="Name", max_length=120, required=False)
    kind = forms.ChoiceField(
        label="Kind",
        choices=Rule.Kind.choices,
        help_text="One-time rules have their own window; recurring rules apply during every absence.",
    )
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
    projects = forms.CharField(label="Projects", required=False, help_text="Comma-separated project keys; empty = all.")
    issue_types = forms.CharField(
        label="Issue types", required=False, help_text="Comma-separated issue types; empty = all."
    )
    action = forms.ChoiceField(label="Action", choices=Rule.Action.choices)
    coverer = forms.CharField(
        label="Coverer",
        required=False,
        max_length=254,
        help_text="For “Reassign”: type a name and pick a username from the suggestions.",
        widget=forms.TextInput(attrs={"list": "people-directory", "autocomplete": "off", "data-people-search": ""}),
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=2000,
        help_text="Added to your absence message. Placeholders: {user}, {coverer}, {until}.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    @classmethod
    def initial_for(cls, rule: Rule) -> dict:
        return {
            "name": rule.name,
            "kind": rule.kind,
            "start": rule.start_at,
            "end": rule.end_at,
            "projects": ", ".join(rule.projects),
            "issue_types": ", ".join(rule.issue_types),
            "action": rule.action,
            "coverer": rule.coverer.username if rule.coverer else "",
            "message": rule.message,
            "enabled": rule.enabled,
        }

    def clean_coverer(self):
        text = self.cleaned_data["coverer"].strip()
        if not text:
            return None
        found = find_user(text)
        if found is None:
            raise forms.ValidationError("No active person with that username or email.", code="does_not_exist")
        return found

    def service_fields(self) -> dict:
        """Keyword arguments for ``rule_create``/``rule_update``: dates only for a one-time rule and a
        coverer only for a reassign rule (the form hides the others)."""
        data = self.cleaned_data
        one_time = data["kind"] == Rule.Kind.ONE_TIME
        reassign = data["action"] == Rule.Action.REASSIGN
        return {
            "kind": data["kind"],
            "name": data["name"],
            "enabled": data["enabled"],
            "start_at": data["start"] if one_time else None,
            "end_at": data["end"] if one_time else None,
            "projects": _split(data["projects"]),
            "issue_types": _split(data["issue_types"]),
            "action": data["action"],
            "coverer": data["coverer"] if reassign else None,
            "message": data["message"],
        }


class ScheduleForm(AccessibleForm):
    """My settings: work schedule and, when the routing settings allow it, my exclusion filter."""

    WEEKDAYS = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]

    timezone = forms.ChoiceField(label="Time zone")
    working_days = forms.TypedMultipleChoiceField(
        label="Working days", choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    holiday_country = forms.ChoiceField(label="Holiday country", required=False)
    holiday_subdivision = forms.CharField(
        label="Holiday subdivision",
        required=False,
        max_length=10,
        help_text="e.g. BY for Bavaria; empty = whole country.",
    )
    exclusion_filter = forms.CharField(
        label="Exclusion filter",
        required=False,
        max_length=4000,
        help_text='Work items matching this are left alone, e.g. project = OPS AND priority in (Blocker, "High")',
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"}),
    )

    def __init__(self, *args, zones: list[str], countries: list[tuple[str, str]], with_filter: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(zone, zone) for zone in zones]
        self.fields["holiday_country"].choices = [("", "No public holidays"), *countries]
        if not with_filter:
            del self.fields["exclusion_filter"]
