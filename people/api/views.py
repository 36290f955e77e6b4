from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions
from rest_framework.settings import api_settings

from config.api.access import acts_as_admin
from config.api.fields import resolve_user_ref
from config.api.viewsets import ETagMixin, GenericViewSet, ModelViewSet, ReadOnlyModelViewSet
from people import services
from people.api.serializers import TeamSerializer, UserSerializer, WorkScheduleSerializer
from people.filters import TeamFilter, UserFilter
from people.models import Team, User


class UserViewSet(ReadOnlyModelViewSet):
    """The people directory: active users, searchable by name, username and email."""

    queryset = User.objects.active()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    sort_fields = {"id": "id", "username": "username", "email": "email", "name": "last_name"}
    default_sort = ("username",)


USER_PATH_PARAM = OpenApiParameter(
    "user",
    str,
    OpenApiParameter.PATH,
    description="User id, username, email address or `me`",
    examples=[OpenApiExample("The caller", value="me")],
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[USER_PATH_PARAM]),
    update=extend_schema(parameters=[USER_PATH_PARAM]),
    partial_update=extend_schema(parameters=[USER_PATH_PARAM]),
)
class WorkScheduleViewSet(ETagMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, GenericViewSet):
    """A person's work schedule: time zone, working days and public-holiday region."""

    serializer_class = WorkScheduleSerializer
    lookup_field = "user"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return User.objects.active().visible_to(self.request.user, admin=acts_as_admin(self.request))

    def get_object(self):
        target = resolve_user_ref(self.kwargs["user"], request=self.request)
        obj = get_object_or_404(self.get_queryset(), pk=target.pk if target else None)
        self.check_object_permissions(self.request, obj)
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            self.check_precondition(obj)
        return obj

    def perform_update(self, serializer):
        serializer.instance = services.work_schedule_update(user=serializer.instance, **serializer.validated_data)
        self._etag_instance = serializer.instance


class IsStaffOrReadOnly(permissions.BasePermission):
    """Creating and deleting teams is for admins; leads may change their team's members."""

    def has_permission(self, request, view):
        if request.method in ("POST", "DELETE"):
            return acts_as_admin(request)
        return True


class TeamViewSet(ModelViewSet):
    """Teams: members, leads and the minimum number of members available each day."""

    queryset = Team.objects.prefetch_related("members", "leads")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, IsStaffOrReadOnly]  # keeps token scopes
    sort_fields = ["id", "name", "created_at"]
    default_sort = ("name",)

    def perform_create(self, serializer):
        serializer.instance = services.team_create(**serializer.validated_data)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = services.team_update(
            team=serializer.instance,
            actor=self.request.user,
            admin=acts_as_admin(self.request),
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance
