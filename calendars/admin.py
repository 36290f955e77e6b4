from django.contrib import admin, messages
from django.db.models import Count

from calendars import services
from calendars.models import Calendar, Event, PersonalFeed


class EventInline(admin.TabularInline):
    model = Event
    fields = ("type", "title", "start_at", "end_at", "all_day", "start_date", "end_date")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_public", "member_count", "color", "updated_at")
    list_filter = ("is_public", "absence_types", "teams")
    search_fields = ("name", "description", "owner__username", "members__username")
    filter_horizontal = ("members", "teams", "absence_types")
    autocomplete_fields = ("owner",)
    readonly_fields = ("feed_key", "created_at", "updated_at")
    inlines = [EventInline]
    actions = ["rotate_feed_keys"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner").annotate(_members=Count("members", distinct=True))

    @admin.display(ordering="_members", description="members")
    def member_count(self, obj) -> int:
        return obj._members

    @admin.action(description="Rotate feed keys (old feed URLs stop working)")
    def rotate_feed_keys(self, request, queryset):
        for calendar in queryset:
            services.calendar_rotate_feed_key(calendar=calendar)
        self.message_user(request, f"Rotated {queryset.count()} feed key(s).", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "calendar", "type", "start_at", "end_at", "all_day")
    list_filter = ("type", "all_day", "calendar")
    search_fields = ("title", "description", "calendar__name")
    filter_horizontal = ("attendees",)
    date_hierarchy = "start_at"
    list_select_related = ("calendar",)


@admin.register(PersonalFeed)
class PersonalFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "updated_at")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "feed_key", "created_at", "updated_at")
    actions = ["rotate_keys"]

    @admin.action(description="Rotate personal feed keys")
    def rotate_keys(self, request, queryset):
        for feed in queryset.select_related("user"):
            services.personal_feed_rotate(user=feed.user)
        self.message_user(request, f"Rotated {queryset.count()} key(s).", messages.SUCCESS)
