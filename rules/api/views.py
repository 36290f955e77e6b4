"""Rules and routing settings over HTTP. Views stay thin: services decide, selectors read."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import acts_as_admin
from config.api.viewsets import ModelViewSet
from rules import selectors, services
from rules.api.serializers import RoutingSettingsSerializer, RuleSerializer, UserExclusionFilterSerializer
from rules.filters import RuleFilter


class RuleViewSet(ModelViewSet):
    """Routing rules: one-time (own window) and recurring (during every absence of their user)."""

    serializer_class = RuleSerializer
    filterset_class = RuleFilter
    sort_fields = ["id", "start_at", "created_at"]
    default_sort = ("id",)

    def get_queryset(self):
        return selectors.rules_visible_to(self.request.user, admin=acts_as_admin(self.request))

    def perform_create(self, serializer):
        serializer.instance = services.rule_create(
            actor=self.request.user, admin=acts_as_admin(self.request), **serializer.validated_data
        )
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = services.rule_update(
            rule=serializer.instance,
            actor=self.request.user,
            admin=acts_as_admin(self.request),
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance

    def perform_destroy(self, instance):
        services.rule_delete(rule=instance)


class ActsAsAdminToChange(permissions.BasePermission):
    """Anyone signed in reads; changing needs staff acting as admin."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or acts_as_admin(request)


class RoutingSettingsView(APIView):
    """The organisation's routing settings (one object)."""

    permission_classes = [permissions.IsAuthenticated, ActsAsAdminToChange]

    @extend_schema(responses=RoutingSettingsSerializer, operation_id="settings_routing_retrieve")
    def get(self, request):
        return Response(RoutingSettingsSerializer(selectors.routing_settings()).data)

    @extend_schema(
        request=RoutingSettingsSerializer, responses=RoutingSettingsSerializer, operation_id="settings_routing_update"
    )
    def patch(self, request):
        serializer = RoutingSettingsSerializer(selectors.routing_settings(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = services.routing_settings_update(**serializer.validated_data)
        return Response(RoutingSettingsSerializer(settings).data)


class MyExclusionFilterView(APIView):
    """The caller's own exclusion filter, used instead of the default when ``exclusion_mode`` is ``user``."""

    @extend_schema(responses=UserExclusionFilterSerializer, operation_id="settings_routing_me_retrieve")
    def get(self, request):
        return Response({"exclusion_filter": selectors.user_exclusion_filter(request.user)})

    @extend_schema(
        request=UserExclusionFilterSerializer,
        responses=UserExclusionFilterSerializer,
        operation_id="settings_routing_me_update",
    )
    def put(self, request):
        serializer = UserExclusionFilterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.user_exclusion_filter_set(user=request.user, **serializer.validated_data)
        return Response({"exclusion_filter": preference.exclusion_filter})
