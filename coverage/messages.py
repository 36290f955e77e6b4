"""Auto-reply text: the absence's message, then the rule's, with placeholders filled in."""

import datetime as dt
import re

from absences.recurrence import user_zone
from config.api.fields import user_display_name

PLACEHOLDER = re.compile(r"\{(?:user|coverer|until)\}")


def format_until(moment: dt.datetime | None, user) -> str:
    """``back_at`` in the user's zone, e.g. ``Mon 23 Nov 2026, 17:00 CET`` (empty when unknown)."""
    if moment is None:
        return ""
    local = moment.astimezone(user_zone(user))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def compose_message(absence_message: str, rule_message: str, *, user, coverer, until: dt.datetime | None) -> str:
    """Join the non-empty messages with one space and fill ``{user}``, ``{coverer}``, ``{until}``.

    One pass of plain replacement, not ``str.format``: user text may contain other braces, and a
    name that itself contains ``{until}`` is not expanded again. ``{coverer}`` is empty when
    nobody takes the item.
    """
    text = " ".join(part.strip() for part in (absence_message, rule_message) if part and part.strip())
    values = {
        "{user}": user_display_name(user),
        "{coverer}": user_display_name(coverer) if coverer is not None else "",
        "{until}": format_until(until, user),
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(0)], text)
