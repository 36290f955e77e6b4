"""Admin console: rules (saved through the services, so status, stamps and emails follow), the routing
settings singleton, and users' exclusion filters (validated like the API)."""

import copy

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from solo.admin import SingletonModelAdmin

from config.errors import DomainError
from rules import services
from rules.exclusion import validate_filter
from rules.models import RoutingSettings, Rule, RuleTransition, UserRoutingPreference

RULE_INPUTS = (
    "user",
    "kind",
    "name",
    "enabled",
    "start_at",
    "end_at",
    "projects",
    "issue_types",
    "action",
    "coverer",
    "message",
)


class RuleAdminForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = RULE_INPUTS

    def clean(self):
        cleaned = super().clean()
        if not any(self.errors.get(name) for name in RULE_INPUTS):
            changes = {name: cleaned.get(name) for name in RULE_INPUTS}
            try:
                services.rule_validate(rule=copy.copy(self.instance), changes=changes)
            except DomainError as exc:
                self.add_error(exc.attr if exc.attr in self.fields else None, exc.detail)
        return cleaned


class RuleTransitionInline(admin.TabularInline):
    model = RuleTransition
    extra = 0
    can_delete = False
    readonly_fields = ("transition", "at", "notified_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    form = RuleAdminForm
    list_display = ("id", "user", "name", "kind", "action", "coverer", "status", "enabled", "start_at", "end_at")
    list_filter = ("kind", "status", "enabled", "action", "created_at")
    search_fields = ("name", "message", "user__username", "user__email", "coverer__username", "created_by__username")
    list_select_related = ("user", "coverer")
    autocomplete_fields = ("user", "coverer")
    readonly_fields = ("status", "activated_at", "expired_at", "created_by", "created_at", "updated_at")
    date_hierarchy = "start_at"
    inlines = [RuleTransitionInline]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in RULE_INPUTS}
        if change:
            services.rule_update(rule=obj, actor=request.user, admin=True, **data)
        else:
            obj.pk = services.rule_create(actor=request.user, admin=True, **data).pk

    def delete_model(self, request, obj):
        services.rule_delete(rule=obj)


class FilterField(forms.CharField):
    """A textarea whose exclusion filter must compile (the error names line and column)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 80})

    def validate(self, value):
        super().validate(value)
        try:
            validate_filter(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc


class RoutingSettingsForm(forms.ModelForm):
    default_exclusion_filter = FilterField(required=False, help_text="See docs/filters.md")

    class Meta:
        model = RoutingSettings
        fields = [
            "ignore_self_assign",
            "allow_coverer_assign_back",
            "reply_when_mentioned",
            "reply_interval_hours",
            "exclusion_mode",
            "default_exclusion_filter",
        ]


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(SimpleHistoryAdmin, SingletonModelAdmin):
    form = RoutingSettingsForm


class UserRoutingPreferenceForm(forms.ModelForm):
    exclusion_filter = FilterField(required=False, help_text="See docs/filters.md")

    class Meta:
        model = UserRoutingPreference
        fields = ["user", "exclusion_filter"]


@admin.register(UserRoutingPreference)
class UserRoutingPreferenceAdmin(admin.ModelAdmin):
    form = UserRoutingPreferenceForm
    list_display = ("user", "exclusion_filter", "updated_at")
    search_fields = ("user__username", "user__email", "exclusion_filter")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
