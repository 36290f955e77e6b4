"""Browser pages of the rules app: my rules (list, create, edit, enable/disable in place, delete)
and My settings (work schedule, and my exclusion filter when the routing settings allow it)."""

import re
import zoneinfo
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from holidays import registry

from config.errors import DomainError
from config.web import add_service_error, page
from people.schedules import supported_regions
from people.services import work_schedule_update
from rules import services
from rules.forms import ERROR_FIELDS, RuleForm, ScheduleForm
from rules.models import RoutingSettings, Rule
from rules.selectors import routing_settings, rules_visible_to, user_exclusion_filter

SCHEDULE_ERROR_FIELDS = {name: name for name in ("timezone", "working_days", "holiday_country", "holiday_subdivision")}
SCHEDULE_ERROR_FIELDS["exclusion_filter"] = "exclusion_filter"
POSITION = re.compile(r"line (\d+), column (\d+)")


def _rule_of(request, pk: int) -> Rule:
    return get_object_or_404(rules_visible_to(request.user, admin=False), pk=pk)


@page
def rule_list_page(request):
    """My rules, newest first."""
    rules = rules_visible_to(request.user, admin=False).filter(user=request.user).order_by("-created_at", "-id")
    return render(request, "rules/list.html", {"rules": rules})


def _edit(request, rule: Rule | None):
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                if rule is None:
                    services.rule_create(actor=request.user, admin=False, **form.service_fields())
                else:
                    services.rule_update(rule=rule, actor=request.user, admin=False, **form.service_fields())
            except (DomainError, ValidationError) as error:
                add_service_error(form, error, ERROR_FIELDS)
            else:
                messages.success(request, "Rule saved.")
                return redirect("rule-list")
    else:
        form = RuleForm(initial=RuleForm.initial_for(rule) if rule else {"kind": "recurring", "enabled": True})
    status = 400 if form.errors else 200
    return render(request, "rules/form.html", {"form": form, "rule": rule}, status=status)


@page
@require_http_methods(["GET", "POST"])
def rule_create_page(request):
    return _edit(request, None)


@page
@require_http_methods(["GET", "POST"])
def rule_edit_page(request, pk: int):
    return _edit(request, _rule_of(request, pk))


@page
@require_POST
def rule_toggle(request, pk: int):
    """Enable or disable a rule in place: htmx gets the new row, a plain form post the list."""
    rule = _rule_of(request, pk)
    rule = services.rule_update(rule=rule, actor=request.user, admin=False, enabled=not rule.enabled)
    if request.headers.get("HX-Request"):
        return render(request, "rules/_row.html", {"rule": rule})
    messages.success(request, f"Rule {'enabled' if rule.enabled else 'disabled'}.")
    return redirect("rule-list")


@page
@require_http_methods(["GET", "POST"])
def rule_delete_page(request, pk: int):
    rule = _rule_of(request, pk)
    if request.method == "POST":
        services.rule_delete(rule=rule)
        messages.success(request, "Rule deleted.")
        return redirect("rule-list")
    return render(request, "rules/confirm_delete.html", {"rule": rule})


@lru_cache(maxsize=1)
def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


@lru_cache(maxsize=1)
def _country_choices() -> list[tuple[str, str]]:
    """Supported holiday countries as "Germany (DE)", named after the ``holidays`` registry's modules."""
    names = {entry[1]: module.replace("_", " ").title() for module, entry in registry.COUNTRIES.items()}
    choices = [(code, f"{names.get(code, code)} ({code})") for code in supported_regions()]
    return sorted(choices, key=lambda choice: choice[1])


def _save_settings(user, data: dict, with_filter: bool) -> None:
    with transaction.atomic():
        work_schedule_update(
            user=user,
            timezone=zoneinfo.ZoneInfo(data["timezone"]),
            working_days=data["working_days"],
            holiday_country=data["holiday_country"],
            holiday_subdivision=data["holiday_subdivision"],
        )
        if with_filter:
            services.user_exclusion_filter_set(user=user, exclusion_filter=data["exclusion_filter"])


def _filter_caret(form: ScheduleForm) -> dict | None:
    """The filter line the parser stopped at and a caret under its column, to show with the error."""
    errors = form.errors.get("exclusion_filter") if form.is_bound else None
    found = POSITION.search(" ".join(errors)) if errors else None
    if found is None:
        return None
    lines = (form.data.get("exclusion_filter") or "").splitlines() or [""]
    line, column = int(found.group(1)), int(found.group(2))
    text = lines[min(line, len(lines)) - 1]
    return {"line": line, "text": text, "caret": " " * (column - 1) + "^"}


@page
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """My settings. The exclusion filter is offered only when ``exclusion_mode`` is ``user``."""
    user = request.user
    with_filter = routing_settings().exclusion_mode == RoutingSettings.ExclusionMode.USER
    options = {"zones": _zones(), "countries": _country_choices(), "with_filter": with_filter}
    if request.method == "POST":
        form = ScheduleForm(request.POST, **options)
        if form.is_valid():
            try:
                _save_settings(user, form.cleaned_data, with_filter)
            except (DomainError, ValidationError) as error:
                user.refresh_from_db()
                add_service_error(form, error, SCHEDULE_ERROR_FIELDS)
            else:
                messages.success(request, "Settings saved.")
                return redirect("my-settings")
    else:
        initial = {
            "timezone": str(user.timezone),
            "working_days": user.working_days,
            "holiday_country": user.holiday_country,
            "holiday_subdivision": user.holiday_subdivision,
            "exclusion_filter": user_exclusion_filter(user) if with_filter else "",
        }
        form = ScheduleForm(initial=initial, **options)
    context = {"form": form, "with_filter": with_filter, "filter_caret": _filter_caret(form)}
    return render(request, "settings.html", context, status=400 if form.errors else 200)
