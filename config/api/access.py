"""Who a request acts as. Visibility itself lives in the people app's queryset methods."""


def acts_as_admin(request) -> bool:
    """Staff reach everyone's objects through a session, or through a token holding the ``admin`` scope."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    scopes = getattr(getattr(request, "auth", None), "scopes", None)
    return scopes is None or "admin" in scopes


def token_calendar_ids(request) -> list[int] | None:
    """The calendars a calendar-limited token may see, or None when the caller is not limited."""
    calendar_ids = getattr(getattr(request, "auth", None), "calendar_ids", None)
    if calendar_ids is None:
        return None
    ids = list(calendar_ids() if callable(calendar_ids) else calendar_ids)
    return ids or None
