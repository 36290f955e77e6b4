from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from people.models import Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "timezone",
        "holiday_country",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_active", "holiday_country", "teams")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Work schedule", {"fields": ("timezone", "working_days", "holiday_country", "holiday_subdivision")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "min_available", "member_count", "updated_at")
    search_fields = ("name", "members__username", "leads__username")
    filter_horizontal = ("members", "leads")

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_members=Count("members", distinct=True))

    @admin.display(ordering="_members", description="members")
    def member_count(self, obj) -> int:
        return obj._members
