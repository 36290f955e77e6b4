"""Data in and out from the admin: export the selected absences (CSV/ICS) and import a file, with
the same code and summary as the `export_absences`/`import_absences` commands."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from absences.exporting import export_csv, export_ics
from absences.import_formats import ImportFileError, read_file
from absences.importing import DEFAULT_SOURCE, import_rows
from absences.models import AbsenceChange

# Larger uploads belong on the command line (with its progress bar).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class AbsenceImportForm(forms.Form):
    file = forms.FileField(help_text="A .csv (header as in docs/import-export.md) or an .ics file")
    source = forms.CharField(
        max_length=30, initial=DEFAULT_SOURCE, help_text="Sync source for rows that do not name one"
    )
    dry_run = forms.BooleanField(required=False, help_text="Check every row and report, but write nothing")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB: use `manage.py import_absences`.")
        return upload


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AbsenceDataAdminMixin:
    """Mixed into ``AbsenceAdmin``: two export actions and an "Import absences" page."""

    actions = ["export_selected_csv", "export_selected_ics"]

    @admin.action(description="Export selected absences as CSV")
    def export_selected_csv(self, request, queryset):
        absences = queryset.select_related("user", "type", "coverer", "approval_delegate").order_by("id")
        return _download(export_csv(absences).encode(), "absences.csv", "text/csv; charset=utf-8")

    @admin.action(description="Export selected absences as iCalendar (.ics)")
    def export_selected_ics(self, request, queryset):
        absences = queryset.select_related("user", "type", "coverer", "approval_delegate").order_by("id")
        return _download(export_ics(absences), "absences.ics", "text/calendar; charset=utf-8")

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="absences_absence_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = AbsenceImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_file(upload.name, upload.read())
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                summary = import_rows(rows, source=form.cleaned_data["source"], dry_run=form.cleaned_data["dry_run"])
                report = summary.report()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import absences",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/absences/absence/import.html", context)


@admin.register(AbsenceChange)
class AbsenceChangeAdmin(admin.ModelAdmin):
    """The change feed, read-only: rows are written by the absence services only."""

    list_display = ("position", "op", "absence_id", "owner_id", "at")
    list_filter = ("op",)
    search_fields = ("=absence_id", "=owner_id")
    date_hierarchy = "at"
    ordering = ("-id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
