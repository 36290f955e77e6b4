from django.contrib import admin

from coverage.models import ReplyLog


@admin.register(ReplyLog)
class ReplyLogAdmin(admin.ModelAdmin):
    """Read-only: rows are written by ``coverage_resolve`` alone; deleting one re-allows a reply."""

    list_display = ("issue_key", "assignee", "replied_at")
    list_filter = ("replied_at",)
    search_fields = ("issue_key", "assignee__username", "assignee__email")
    list_select_related = ("assignee",)
    readonly_fields = ("assignee", "issue_key", "replied_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
