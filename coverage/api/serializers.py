"""Request and response shapes of the coverage endpoints (SPEC §6)."""

from rest_framework import serializers

from config.api.fields import LocalDateTimeField, UserRefField
from config.api.serializers import Serializer

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
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    action = serializers.CharField()


class QuerySerializer(Serializer):
    """Query parameters; a naive datetime is read in the zone of ``context["subject"]`` (the user
    asked about), else the caller's."""

    def subject_user(self, attrs: dict):
        return self.context.get("subject") or super().subject_user(attrs)


class AtQuerySerializer(QuerySerializer):
    at = LocalDateTimeField(required=False, help_text="ISO 8601 instant (default now); naive = the user's zone")


class AvailabilitySerializer(Serializer):
    user = UserRefField()
    at = LocalDateTimeField()
    available = serializers.BooleanField()
    absence = AbsenceSummarySerializer(allow_null=True)
    back_at = LocalDateTimeField(allow_null=True, help_text="End of the whole continuous away stretch")
    coverer = UserRefField(allow_null=True)
    message = serializers.CharField()
    next_absence = AbsenceSummarySerializer(allow_null=True, help_text="The next away absence after this stretch")


class CurrentQuerySerializer(QuerySerializer):
    at = LocalDateTimeField(required=False, help_text="ISO 8601 instant (default now); naive = your zone")
    team = serializers.IntegerField(required=False, min_value=1, help_text="Only members of this team (id)")
    project = serializers.CharField(
        required=False, max_length=100, help_text="Pick each row's rule as for a work item of this project"
    )


class CurrentCoverageSerializer(Serializer):
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
    key = serializers.CharField(
        required=False, max_length=255, help_text="Issue key; when given, `reply` is throttled per (assignee, key)"
    )
    labels = serializers.ListField(child=serializers.CharField(max_length=255), required=False, max_length=100)
    priority = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    status = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    component = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    reporter = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)


class ResolveRequestSerializer(Serializer):
    assignee = UserRefField()
    project = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)
    issue_type = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)
    at = LocalDateTimeField(required=False, help_text="ISO 8601 (default now); naive = the assignee's zone")
    actor = UserRefField(required=False, allow_null=True, help_text="Who assigned or mentioned")
    event = serializers.ChoiceField(choices=EVENTS)
    issue = IssueSerializer(required=False, allow_null=True)

    def subject_user(self, attrs: dict):
        """A naive ``at`` is read in the assignee's zone."""
        return attrs.get("assignee") or super().subject_user(attrs)


class ResolveResponseSerializer(Serializer):
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
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive; at most 92 days after start")


class StaffingDaySerializer(Serializer):
    date = serializers.DateField()
    available = serializers.IntegerField()
    away = serializers.ListField(child=UserRefField())
    below_minimum = serializers.BooleanField()
