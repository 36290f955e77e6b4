"""Admin for absence types and absences; every save goes through the services."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from absences import services
from absences.admin_data import AbsenceDataAdminMixin
from absences.models import Absence, AbsenceType
from absences.selectors import PRIVATE_TYPE_KEY, STATES, absence_state, absence_working_days, absences_in_state
from config.errors import DomainError

EDITABLE = (
    "user", "type", "title", "start_at", "end_at", "start_date", "end_date", "message", "coverer",
    "approval_delegate", "reason", "source", "source_id", "recurrence", "recurrence_exceptions",
)  # fmt: skip


class AbsenceTypeAdminForm(forms.ModelForm):
    class Meta:
        model = AbsenceType
        fields = ("key", "name", "color", "counts_as_away", "private", "is_active")

    def clean_key(self):
        key = self.cleaned_data["key"]
        if key == PRIVATE_TYPE_KEY:
            raise forms.ValidationError("'away' is reserved: private absences show as that type.")
        return key


@admin.register(AbsenceType)
class AbsenceTypeAdmin(admin.ModelAdmin):
    form = AbsenceTypeAdminForm
    list_display = ("key", "name", "color", "counts_as_away", "private", "is_active")
    list_filter = ("counts_as_away", "private", "is_active")
    search_fields = ("key", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("key",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name != "key"}
        if change:
            services.absence_type_update(absence_type=obj, **data)
        else:
            services.absence_type_create(key=form.cleaned_data["key"], **data)

    def delete_model(self, request, obj):
        services.absence_type_delete(absence_type=obj)


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(state, state) for state in STATES]

    def queryset(self, request, queryset):
        return absences_in_state(queryset, self.value()) if self.value() in STATES else queryset


class AbsenceAdminForm(forms.ModelForm):
    """Datetimes for a timed absence, or the inclusive dates of an all-day one."""

    class Meta:
        model = Absence
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_at", "end_at"):
            self.fields[name].required = False
        self.fields["start_at"].help_text = "Or leave the datetimes empty and give start and end dates (all day)."

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in EDITABLE if name != "user"}
        if data.get("start_date"):
            data["start_at"] = data["end_at"] = None
        data["type"] = data["type"].key if data.get("type") else "vacation"
        return data

    def _post_clean(self):
        # The service validates (and the model's own checks run there); map its errors to fields.
        if self.errors:
            return
        try:
            if self.instance.pk is None:
                services.absence_validate(user=self.cleaned_data.get("user"), **self.service_fields())
            else:
                fresh = Absence.objects.select_related("user", "type").get(pk=self.instance.pk)
                services.absence_validate(absence=fresh, user=None, **self._changes())
        except DomainError as exc:
            self.add_error(exc.attr if exc.attr in self.fields else None, exc.detail)

    def _changes(self) -> dict:
        fields = self.service_fields()
        changes = {name: fields[name] for name in self.changed_data if name in fields}
        if "user" in self.changed_data:
            changes["user"] = self.cleaned_data["user"]
        return changes


@admin.register(Absence)
class AbsenceAdmin(AbsenceDataAdminMixin, SimpleHistoryAdmin):  # export actions, import page
    form = AbsenceAdminForm
    list_display = ("user", "type", "title", "start_at", "end_at", "all_day", "recurring", "state", "coverer")
    list_filter = ("type", StateFilter, "all_day", "source")
    list_select_related = ("user", "type", "coverer")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "title", "source_id")
    date_hierarchy = "start_at"
    autocomplete_fields = ("user", "coverer", "approval_delegate")
    readonly_fields = ("all_day", "series_end_at", "working_days", "created_at", "updated_at")

    @admin.display(boolean=True)
    def recurring(self, obj) -> bool:
        return obj.is_recurring

    @admin.display(description="state")
    def state(self, obj) -> str:
        return absence_state(obj)

    @admin.display(description="working days")
    def working_days(self, obj) -> int | str:
        return absence_working_days(obj) if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        if change:
            fresh = Absence.objects.select_related("user", "type").get(pk=obj.pk)
            saved = services.absence_update(absence=fresh, **form._changes())
        else:
            saved = services.absence_create(user=form.cleaned_data["user"], **form.service_fields())
        # The admin goes on with ``obj`` (messages, log entry, redirect): make it the saved row.
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        services.absence_delete(absence=obj)

    def delete_queryset(self, request, queryset):
        for absence in queryset:
            services.absence_delete(absence=absence)
