from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status
from rest_framework.response import Response

from config.api.access import acts_as_admin, token_calendar_ids
from config.api.viewsets import APIViewMixin, ETagMixin, GenericViewSet
from tokens import services
from tokens.api.serializers import APITokenCreatedSerializer, APITokenSerializer, TokenSettingsSerializer
from tokens.filters import APITokenFilter
from tokens.models import APIToken, TokenSettings
from tokens.permissions import TokenScopePermission


def _actor_scopes(request) -> list[str] | None:
    return list(request.auth.scopes) if isinstance(request.auth, APIToken) else None


class APITokenViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """API tokens: your own (admins see all). DELETE revokes; the plaintext is only in the 201 body."""

    serializer_class = APITokenSerializer
    filterset_class = APITokenFilter
    sort_fields = ["id", "name", "created_at", "expires_at", "last_used_at"]
    default_sort = ("-created_at",)

    def get_queryset(self):
        queryset = APIToken.objects.select_related("user", "created_by")
        return queryset.visible_to(self.request.user, admin=acts_as_admin(self.request))

    @extend_schema(request=APITokenSerializer, responses={201: APITokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("user", request.user)
        admin = acts_as_admin(request)
        if owner.pk != request.user.pk and not admin:
            raise PermissionDenied("Only admins create tokens for other users.")
        if not admin and not TokenSettings.get_solo().allow_user_tokens:
            raise PermissionDenied("Users may not create their own tokens (allow_user_tokens is off).")
        if data.get("rate_limit_per_hour") is not None and not admin:
            raise PermissionDenied("Only staff set a token's rate limit.")
        token, plaintext = services.token_create(
            user=owner,
            created_by=request.user,
            calendar_ids=data.pop("calendars", []),
            actor_scopes=_actor_scopes(request),
            actor_calendar_ids=token_calendar_ids(request),
            **data,
        )
        body = APITokenCreatedSerializer(token, context={**self.get_serializer_context(), "plaintext": plaintext})
        return Response(body.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.token_revoke(token=instance)


class StaffMayChange(permissions.BasePermission):
    message = "Only staff change the token settings."

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or acts_as_admin(request)


class TokenSettingsView(APIViewMixin, generics.RetrieveUpdateAPIView):
    """Token settings (one object): anyone signed in reads them, staff change them."""

    serializer_class = TokenSettingsSerializer
    permission_classes = [TokenScopePermission, StaffMayChange]
    http_method_names = ["get", "patch", "head", "options"]
    etag_enabled = False  # a two-flag singleton: last write wins

    def get_object(self):
        return TokenSettings.get_solo()

    def perform_update(self, serializer):
        serializer.instance = services.token_settings_update(**serializer.validated_data)
