"""The token and settings console: mint for anyone (plaintext shown once), revoke, audit."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from solo.admin import SingletonModelAdmin

from config.errors import DomainError
from tokens import services
from tokens.models import SCOPES, APIToken, TokenSettings


class APITokenCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple)
    calendars = forms.CharField(required=False, help_text="Calendar ids, comma-separated; empty means all.")

    class Meta:
        model = APIToken
        fields = ["name", "user", "scopes", "calendars", "expires_at", "rate_limit_per_hour"]

    def clean_calendars(self) -> list[int]:
        raw = self.cleaned_data.get("calendars") or ""
        try:
            return [int(part) for part in raw.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError("Give calendar ids separated by commas.") from None

    def _post_clean(self):
        # The service validates (and later saves); the model's own validation would see no key or hash.
        data = self.cleaned_data
        if self.errors or not data.get("user"):
            return
        try:
            services.token_check(
                user=data["user"],
                scopes=data.get("scopes", []),
                calendar_ids=data.get("calendars", []),
                expires_at=data.get("expires_at"),
                rate_limit_per_hour=data.get("rate_limit_per_hour"),
            )
        except DomainError as exc:
            self.add_error(exc.attr if exc.attr in self.fields else None, exc.detail)


@admin.register(APIToken)
class APITokenAdmin(SimpleHistoryAdmin):
    list_display = ("prefix", "name", "user", "scopes_list", "expires_at", "last_used_at", "revoked_at", "created_at")
    list_filter = (
        ("revoked_at", admin.EmptyFieldListFilter),
        ("expires_at", admin.EmptyFieldListFilter),
        "created_at",
        "user__is_staff",
    )
    search_fields = ("name", "key_id", "user__username", "user__email")
    list_select_related = ("user", "created_by")
    readonly_fields = (
        "prefix",
        "user",
        "scopes",
        "calendars",
        "expires_at",
        "rate_limit_per_hour",
        "last_used_at",
        "created_at",
        "created_by",
        "revoked_at",
    )
    fields = ("name", *readonly_fields)
    actions = ["revoke"]
    autocomplete_fields = ("user",)

    @admin.display(description="scopes")
    def scopes_list(self, obj) -> str:
        return ", ".join(obj.scopes)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = APITokenCreationForm
            kwargs["fields"] = APITokenCreationForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return APITokenCreationForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # tokens are revoked, never deleted: the audit trail keeps them

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        token, plaintext = services.token_create(
            user=data["user"],
            name=data["name"],
            scopes=data["scopes"],
            calendar_ids=data["calendars"],
            expires_at=data.get("expires_at"),
            rate_limit_per_hour=data.get("rate_limit_per_hour"),
            created_by=request.user,
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved token.
        for field in APIToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        messages.warning(request, f"Copy the token now; it is not shown again: {plaintext}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token)
            count += 1
        self.message_user(request, f"Revoked {count} token(s) at {timezone.now():%Y-%m-%d %H:%M} UTC.")


@admin.register(TokenSettings)
class TokenSettingsAdmin(SimpleHistoryAdmin, SingletonModelAdmin):
    """The singleton, with its change history (who changed which setting) from simple_history."""
