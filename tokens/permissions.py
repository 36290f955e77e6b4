"""The one place where a token's scopes meet HTTP methods."""

from rest_framework import permissions

from tokens.models import APIToken

METHOD_SCOPES = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "delete",
}


def required_scope(method: str) -> str | None:
    return METHOD_SCOPES.get(method.upper())


class TokenScopePermission(permissions.IsAuthenticated):
    """Authenticated, and a token caller holds the scope its method needs (session callers are not limited).

    Reaching other users' objects (the ``admin`` scope) is decided by ``config.api.access.acts_as_admin``.
    """

    message = "This token lacks the scope this request needs."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        token = request.auth
        if not isinstance(token, APIToken):
            return True
        scope = required_scope(request.method)
        if scope is None:
            # A method no view implements (TRACE, CONNECT, ...): nothing to guard, and the view
            # answers 405 by itself (a 403 naming no scope would tell the client nothing).
            return True
        if scope not in token.scopes:
            self.message = f"This token lacks the '{scope}' scope needed for {request.method}."
            return False
        return True
