"""The browser login, rate limited per client IP and per username (POSTs only)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django_ratelimit.core import _get_ip, _split_rate

from tokens.ratelimit import hit

TOO_MANY = "Too many sign-in attempts. Wait {minutes} minute(s) and try again."


class RateLimitedLoginView(auth_views.LoginView):
    """Past the limit the form shows an error and the response is a 429; the password is not checked."""

    def post(self, request, *args, **kwargs):
        username = (request.POST.get("username") or "").strip().lower()
        checks = [("login.ip", _get_ip(request), settings.LOGIN_RATE_LIMIT_PER_IP)]
        if username:
            checks.append(("login.username", username, settings.LOGIN_RATE_LIMIT_PER_USERNAME))
        usages = [hit(group, value, *_split_rate(rate)) for group, value, rate in checks]
        exceeded = [usage for usage in usages if usage is not None and usage.exceeded]
        if not exceeded:
            return super().post(request, *args, **kwargs)
        wait = max(usage.reset_in for usage in exceeded)
        form = self.get_form()
        form._errors, form.cleaned_data = ErrorDict(), {}
        form.add_error(None, ValidationError(TOO_MANY.format(minutes=(wait + 59) // 60), code="rate_limited"))
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response
