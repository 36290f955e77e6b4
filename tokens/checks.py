"""A system check: every API view enforces token scopes.

A view that sets its own ``permission_classes`` replaces the default list; without
``TokenScopePermission`` a read-only token could write through it. Public views (no authentication
or only ``AllowAny``) need no scopes.
"""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import permissions
from rest_framework.views import APIView

from tokens.permissions import TokenScopePermission


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if isinstance(view_class, type) and issubclass(view_class, APIView):
                yield prefix + str(pattern.pattern), view_class


def _is_public(view_class) -> bool:
    classes = list(view_class.permission_classes)
    return not view_class.authentication_classes or all(cls is permissions.AllowAny for cls in classes)


@checks.register(checks.Tags.security)
def check_api_views_enforce_scopes(app_configs=None, **kwargs):
    errors, seen = [], set()
    for route, view_class in _views(get_resolver().url_patterns):
        if view_class in seen or _is_public(view_class):
            continue
        seen.add(view_class)
        if not any(
            isinstance(cls, type) and issubclass(cls, TokenScopePermission) for cls in view_class.permission_classes
        ):
            errors.append(
                checks.Error(
                    f"{view_class.__module__}.{view_class.__qualname__} ({route}) does not enforce token scopes.",
                    hint="Start its permission_classes with api_settings.DEFAULT_PERMISSION_CLASSES.",
                    obj=view_class,
                    id="tokens.E001",
                )
            )
    return errors
