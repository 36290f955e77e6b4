"""Absence types and absences: thin viewsets over the services and selectors."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from absences import services
from absences.api.pagination import AbsencePagination
from absences.api.serializers import AbsenceSerializer, AbsenceTypeSerializer, AbsenceTypeUpdateSerializer
from absences.filters import AbsenceFilter
from absences.models import Absence, AbsenceType
from absences.selectors import absence_list, absence_warnings
from config.api.access import acts_as_admin
from config.api.viewsets import ModelViewSet, etag_of


class AdminWritesOnly(permissions.BasePermission):
    """Everyone signed in reads absence types; only staff acting as admin change them."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or acts_as_admin(request)


class AbsenceTypeViewSet(ModelViewSet):
    """Absence types. Deleting a type in use is refused (400 `protected`): deactivate it instead."""

    queryset = AbsenceType.objects.all()
    serializer_class = AbsenceTypeSerializer
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, AdminWritesOnly]
    lookup_field = "key"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # slugs only: anything else is a plain 404
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    sort_fields = ["key", "name"]
    default_sort = ("key",)

    def get_serializer_class(self):
        return AbsenceTypeUpdateSerializer if self.action == "partial_update" else AbsenceTypeSerializer

    def perform_create(self, serializer):
        serializer.instance = services.absence_type_create(**serializer.validated_data)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = services.absence_type_update(
            absence_type=serializer.instance, **serializer.validated_data
        )
        self._etag_instance = serializer.instance

    def perform_destroy(self, instance):
        services.absence_type_delete(absence_type=instance)


SOURCE_PARAMS = [
    OpenApiParameter("source", str, OpenApiParameter.PATH, description="Sync source (≤ 30 chars)"),
    OpenApiParameter("source_id", str, OpenApiParameter.PATH, description="Id in the source (≤ 128 chars)"),
]


class AbsenceViewSet(ModelViewSet):
    """Absences of the people you may see (yourself, your teams' members, everyone as admin).

    Create and update responses carry non-blocking `warnings`; reads have an empty list.
    """

    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter
    pagination_class = AbsencePagination
    sort_fields = ["id", "start_at", "end_at", "created_at", "updated_at"]
    default_sort = ("start_at",)

    def get_queryset(self):
        return absence_list(viewer=self.request.user, admin=acts_as_admin(self.request))

    def current_etag(self, instance) -> str:
        # Warnings describe the write, not the object: the tag must match a later GET.
        data = dict(self.get_serializer_class()(instance, context=self.get_serializer_context()).data)
        data.pop("warnings", None)
        return etag_of(data)

    def _actor(self) -> dict:
        return {"actor": self.request.user, "admin": acts_as_admin(self.request)}

    def _respond_with(self, serializer, absence: Absence) -> None:
        absence.warnings = absence_warnings(absence)
        serializer.instance = absence
        self._etag_instance = absence

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user = data.pop("user", self.request.user)
        self._respond_with(serializer, services.absence_create(user=user, **self._actor(), **data))

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        if not serializer.partial:
            changes = {**services.REPLACE_DEFAULTS, **changes}
        absence = services.absence_update(absence=serializer.instance, **self._actor(), **changes)
        self._respond_with(serializer, absence)

    def perform_destroy(self, instance):
        services.absence_delete(absence=instance)

    @extend_schema(
        parameters=SOURCE_PARAMS,
        request=AbsenceSerializer,
        responses={200: AbsenceSerializer, 201: AbsenceSerializer},
        description="Create (201) or fully replace (200) the absence with this sync key; safe to repeat.",
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"by-source/(?P<source>[^/]{1,30})/(?P<source_id>[^/]{1,128})",
        filter_backends=[],
        pagination_class=None,
    )
    def by_source(self, request, source: str, source_id: str):
        if "\x00" in source + source_id:  # no key holds NUL (and PostgreSQL refuses it in a query)
            raise Http404
        existing = Absence.objects.filter(source=source, source_id=source_id).first()
        if existing is not None and not self.get_queryset().filter(pk=existing.pk).exists():
            raise Http404
        if existing is not None and request.headers.get("If-Match"):
            self.check_precondition(existing)
        serializer = self.get_serializer(existing, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("source", None), data.pop("source_id", None)
        user = data.pop("user", existing.user if existing is not None else request.user)
        absence, created = services.absence_upsert_by_source(
            source=source, source_id=source_id, user=user, **self._actor(), **data
        )
        self._respond_with(serializer, absence)
        return Response(
            self.get_serializer(absence).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
