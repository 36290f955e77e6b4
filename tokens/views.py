"""Integrations: my API tokens (create when the token settings allow it, plaintext shown once;
revoke) and my personal calendar feed URL (from the calendars app's template tag)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import DomainError
from config.web import AccessibleForm, add_service_error, page
from tokens import services
from tokens.models import APIToken, TokenSettings

USER_SCOPES = [("read", "Read"), ("write", "Write (create and change)"), ("delete", "Delete")]


class TokenForm(AccessibleForm):
    name = forms.CharField(label="Token name", max_length=100, help_text="What uses it, e.g. “Jira automation”.")
    scopes = forms.MultipleChoiceField(
        label="Scopes", choices=USER_SCOPES, initial=["read"], widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)", required=False, min_value=1, max_value=3650, help_text="Empty: never expires."
    )


def _context(request, form: TokenForm, plaintext: str = "") -> dict:
    tokens = APIToken.objects.visible_to(request.user).filter(user=request.user)
    return {
        "form": form,
        "tokens": tokens,
        "allowed": TokenSettings.get_solo().allow_user_tokens,
        "plaintext": plaintext,
        "now": timezone.now(),
    }


@page
@require_http_methods(["GET", "POST"])
def integrations(request):
    """The plaintext of a new token is in this one response only: it is never stored or shown again."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not TokenSettings.get_solo().allow_user_tokens:
            raise PermissionDenied("Creating your own tokens is switched off.")
        days = form.cleaned_data["expires_in_days"]
        try:
            _token, plaintext = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except (DomainError, ValidationError) as error:
            add_service_error(form, error, {"name": "name", "scopes": "scopes", "expires_at": "expires_in_days"})
        else:
            response = render(request, "integrations.html", _context(request, TokenForm(), plaintext))
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if form.errors else 200
    return render(request, "integrations.html", _context(request, form), status=status)


@page
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(APIToken.objects.visible_to(request.user).filter(user=request.user), pk=pk)
    services.token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("integrations")
