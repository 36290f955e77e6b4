"""Browser pages for one's own absences: list, create, edit, delete, and the warnings check.

Every write goes through ``absences.services`` and every read through ``absences.selectors``, so
the pages and the API enforce the same rules; a ``DomainError`` shows next to the field it names.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from absences import services
from absences.forms import AbsenceForm, warnings_signature
from absences.models import Absence
from absences.selectors import absence_list, absence_state, absence_warnings
from config.errors import DomainError
from config.web import add_service_error, page

PAGE_SIZE = 50


def _absence_of(request, pk: int) -> Absence:
    """An absence the signed-in person may change (theirs or, as a lead, a member's); else 404."""
    return get_object_or_404(absence_list(viewer=request.user, admin=False), pk=pk)


@page
def absence_list_page(request):
    """My absences: current and upcoming first (soonest first); past ones on request (newest first)."""
    now = timezone.now()
    mine = absence_list(viewer=request.user, admin=False).filter(user=request.user)
    show_past = request.GET.get("past") == "1"
    if show_past:
        absences = mine.filter(series_end_at__lte=now).order_by("-start_at", "-id")
    else:
        absences = mine.exclude(series_end_at__lte=now).order_by("start_at", "id")
    listing = Paginator(absences, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"absence": a, "state": absence_state(a, now)} for a in listing]
    return render(request, "absences/list.html", {"rows": rows, "show_past": show_past, "listing": listing})


def _write(request, form: AbsenceForm, absence: Absence | None) -> Absence:
    if absence is None:
        return services.absence_create(user=form.owner, actor=request.user, **form.service_fields())
    return services.absence_update(absence=absence, actor=request.user, **form.service_fields())


def _dry_run(request, form: AbsenceForm, absence: Absence | None) -> list[dict] | None:
    """The warnings saving the form would give, or None with the service's errors on the form.

    The real service writes inside a transaction that is rolled back, so the warnings (a team
    dropping below its minimum counts this absence too) are exactly those the API would return.
    """
    fresh = None if absence is None else Absence.objects.select_related("user", "type").get(pk=absence.pk)
    try:
        with transaction.atomic():
            warnings = absence_warnings(_write(request, form, fresh))
            transaction.set_rollback(True)
    except (DomainError, ValidationError) as error:
        add_service_error(form, error, form.error_fields())
        return None
    return warnings


def _save(request, form: AbsenceForm, absence: Absence | None) -> Absence | None:
    try:
        return _write(request, form, absence)
    except (DomainError, ValidationError) as error:
        add_service_error(form, error, form.error_fields())
        return None


def _edit(request, absence: Absence | None):
    """Shared by create and edit: validate, show warnings once before saving, then save."""
    owner = absence.user if absence else request.user
    with timezone.override(owner.timezone):
        if request.method == "POST":
            form = AbsenceForm(request.POST, owner=owner)
            warnings = _dry_run(request, form, absence) if form.is_valid() else None
            signature = warnings_signature(warnings or [])
            unseen = bool(warnings) and form.cleaned_data.get("warnings_seen") != signature
            if warnings is not None and not unseen and _save(request, form, absence):
                messages.success(request, "Absence saved.")
                return redirect("absence-list")
        else:
            initial = AbsenceForm.initial_for(absence) if absence else {"all_day": True, "type": "vacation"}
            form, warnings, signature, unseen = AbsenceForm(initial=initial, owner=owner), [], "", False
        context = {
            "form": form,
            "absence": absence,
            "warnings": warnings or [],
            "signature": signature,
            "unseen": unseen,
            "owner": owner,
        }
        return render(request, "absences/form.html", context, status=400 if form.errors else 200)


@page
@require_http_methods(["GET", "POST"])
def absence_create_page(request):
    return _edit(request, None)


@page
@require_http_methods(["GET", "POST"])
def absence_edit_page(request, pk: int):
    return _edit(request, _absence_of(request, pk))


@page
@require_http_methods(["GET", "POST"])
def absence_delete_page(request, pk: int):
    """A confirmation page; the POST deletes."""
    absence = _absence_of(request, pk)
    if request.method == "POST":
        services.absence_delete(absence=absence)
        messages.success(request, "Absence deleted.")
        return redirect("absence-list")
    return render(request, "absences/confirm_delete.html", {"absence": absence})


@page
@require_POST
def absence_check(request, pk: int | None = None):
    """htmx: the warnings the form's current values would give (nothing while the input is invalid)."""
    absence = _absence_of(request, pk) if pk else None
    owner = absence.user if absence else request.user
    with timezone.override(owner.timezone):
        form = AbsenceForm(request.POST, owner=owner)
        warnings = (_dry_run(request, form, absence) if form.is_valid() else None) or []
    context = {"warnings": warnings, "signature": warnings_signature(warnings), "unseen": False}
    return render(request, "absences/_warnings.html", context)
