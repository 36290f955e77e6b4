"""Request and response shapes of the coverage endpoints (SPEC §6)."""

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from config.api.fields import FIRST_YEAR, LAST_YEAR, LocalDateTimeField, UserRefField, user_ref, utc_text
from config.api.params import REPEATED, repeated_message
from config.api.serializers import ReadersMixin, Serializer


def _check_year(value, field):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        field.fail("out_of_range")
    return value


class InstantField(LocalDateTimeField):
    """An ISO 8601 instant asked about (naive: the subject user's zone), years 1900 to 9000."""

    default_error_messages = {"out_of_range": f"Give a time between the years {FIRST_YEAR} and {LAST_YEAR}."}

    def to_internal_value(self, value):
        return _check_year(super().to_internal_value(value), self)


class DayField(serializers.DateField):
    """An ISO 8601 date, years 1900 to 9000."""

    default_error_messages = {"out_of_range": f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}."}

    def to_internal_value(self, value):
        return _check_year(super().to_internal_value(value), self)


EVENTS = ["assigned", "mentioned"]
ACTIONS = ["none", "reassign", "unassign", "keep"]
REASONS = [
    "not_away",
    "mentioned",
    "excluded",
    "self_assign",
    "coverer_assign_back",
    "rule",
    "absence_coverer",
    "no_coverer",
    "no_available_coverer",
]


class AbsenceSummarySerializer(Serializer):
    """The absence (for a recurring one, the occurrence) making the user away. A private type shows
    as ``away`` without title to callers who may not see its details."""

    id = serializers.IntegerField()
    type = serializers.CharField()
    title = serializers.CharField()
    start_at = LocalDateTimeField()
    end_at = LocalDateTimeField()


class RuleSummarySerializer(Serializer):
    """The rule that decided (``name`` may be empty)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    action = serializers.CharField()


class QuerySerializer(Serializer):
    """Query parameters; a naive datetime is read in the zone of ``context["subject"]`` (the user
    asked about), else the caller's."""

    def subject_user(self, attrs: dict):
        return self.context.get("subject") or super().subject_user(attrs)

    def to_internal_value(self, data):
        # DRF reads an empty form value of an optional field as left out, but ``?at=`` is no more an
        # instant (``?team=`` no more an id) than ``?at=x``: the schema says date-time (integer).
        # A repeated one-value parameter is a 400 too (DRF would keep the last value).
        errors = {}
        getlist = getattr(data, "getlist", lambda name: [data[name]] if name in data else [])
        for field in self._writable_fields:
            if not isinstance(field, serializers.ListField) and len(getlist(field.field_name)) > 1:
                errors[field.field_name] = [ErrorDetail(repeated_message(field.field_name), code=REPEATED)]
            elif data.get(field.field_name) == "" and not isinstance(field, serializers.CharField):
                try:
                    field.run_validation("")
                except serializers.ValidationError as exc:
                    errors[field.field_name] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class AtQuerySerializer(QuerySerializer):
    """The instant asked about."""

    at = InstantField(required=False, help_text="ISO 8601 instant (default now); naive = the user's zone")


class AvailabilitySerializer(Serializer):
    """A user's availability at ``at``; ``coverer`` and ``message`` as for a work item with no
    project and issue type (the direct coverer, chains not followed)."""

    user = UserRefField()
    at = LocalDateTimeField()
    available = serializers.BooleanField()
    absence = AbsenceSummarySerializer(allow_null=True)
    back_at = LocalDateTimeField(allow_null=True, help_text="End of the whole continuous away stretch")
    coverer = UserRefField(allow_null=True)
    message = serializers.CharField()
    next_absence = AbsenceSummarySerializer(allow_null=True, help_text="The next away absence after this stretch")


class CurrentQuerySerializer(QuerySerializer):
    """Filters of the current-coverage list."""

    at = InstantField(required=False, help_text="ISO 8601 instant (default now); naive = your zone")
    team = serializers.IntegerField(required=False, min_value=1, help_text="Only members of this team (id)")
    project = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Pick each row's rule as for a work item of this project (empty: any project)",
    )


def _text(value) -> str | None:
    return None if value is None else str(value)


def _texts(values) -> list | None:
    return None if values is None else [_text(item) for item in values]


def absence_summary_text(summary: dict | None) -> dict | None:
    """What ``AbsenceSummarySerializer`` writes for ``summary``."""
    if summary is None:
        return None
    return {
        "id": summary["id"] if summary["id"] is None else int(summary["id"]),
        "type": _text(summary["type"]),
        "title": _text(summary["title"]),
        "start_at": utc_text(summary["start_at"]),
        "end_at": utc_text(summary["end_at"]),
    }


def rule_summary_text(rule) -> dict | None:
    """What ``RuleSummarySerializer`` writes for ``rule``."""
    if rule is None:
        return None
    return {"id": int(rule.id), "kind": _text(rule.kind), "name": _text(rule.name), "action": _text(rule.action)}


# A page of current coverage is 100 rows with two nested objects each (see ``ReadersMixin``).
CURRENT_READERS = {
    "user": lambda row: user_ref(row["user"]),
    "absence": lambda row: absence_summary_text(row["absence"]),
    "rule": lambda row: rule_summary_text(row["rule"]),
    "coverer": lambda row: user_ref(row["coverer"]),
    "projects": lambda row: _texts(row["projects"]),
    "issue_types": lambda row: _texts(row["issue_types"]),
    "start_at": lambda row: utc_text(row["start_at"]),
    "end_at": lambda row: utc_text(row["end_at"]),
    "message": lambda row: _text(row["message"]),
}


class CurrentCoverageSerializer(ReadersMixin, Serializer):
    """One away user at ``at``: the absence and rule in force, who covers them and the reply text."""

    readers = CURRENT_READERS

    user = UserRefField()
    absence = AbsenceSummarySerializer(allow_null=True)
    rule = RuleSummarySerializer(allow_null=True)
    coverer = UserRefField(allow_null=True)
    projects = serializers.ListField(child=serializers.CharField())
    issue_types = serializers.ListField(child=serializers.CharField())
    start_at = LocalDateTimeField(help_text="Start of the earliest absence or rule window covering `at`")
    end_at = LocalDateTimeField(help_text="End of the continuous away stretch (= availability's back_at)")
    message = serializers.CharField()


class IssueSerializer(Serializer):
    """The work item's fields the exclusion filter reads, and its key for the reply throttle."""

    key = serializers.CharField(
        required=False, max_length=255, help_text="Issue key; when given, `reply` is throttled per (assignee, key)"
    )
    labels = serializers.ListField(child=serializers.CharField(max_length=255), required=False, max_length=100)
    priority = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    status = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    component = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    reporter = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)


class ResolveSerializer(Serializer):
    """The integrator's question about one work item (SPEC §6)."""

    assignee = UserRefField()
    project = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)
    issue_type = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)
    at = InstantField(required=False, help_text="ISO 8601 (default now); naive = the assignee's zone")
    actor = UserRefField(required=False, allow_null=True, help_text="Who assigned or mentioned")
    event = serializers.ChoiceField(choices=EVENTS)
    issue = IssueSerializer(required=False, allow_null=True)

    def subject_user(self, attrs: dict):
        """A naive ``at`` is read in the assignee's zone."""
        return attrs.get("assignee") or super().subject_user(attrs)


class ResolveResponseSerializer(Serializer):
    """Who holds the item afterwards (``assign_to``), why (``reason``) and whether to post ``message``."""

    assignee = UserRefField()
    assignee_away = serializers.BooleanField()
    action = serializers.ChoiceField(choices=ACTIONS)
    assign_to = UserRefField(allow_null=True)
    message = serializers.CharField()
    reply = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=REASONS)
    rule = RuleSummarySerializer(allow_null=True)
    absence = AbsenceSummarySerializer(allow_null=True)
    until = LocalDateTimeField(allow_null=True)
    chain = serializers.ListField(child=UserRefField(), help_text="Every coverer passed, in order")


class StaffingQuerySerializer(QuerySerializer):
    """An inclusive date range of at most 92 days."""

    start = DayField()
    end = DayField(help_text="Inclusive; at most 92 days after start")


class StaffingDaySerializer(Serializer):
    """One date: members working and not away (``available``), working members away, and whether
    fewer than the team's ``min_available`` are available on a day someone works."""

    date = serializers.DateField()
    available = serializers.IntegerField()
    away = serializers.ListField(child=UserRefField())
    below_minimum = serializers.BooleanField()
