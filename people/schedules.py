"""Work schedules: validation against the ``holidays`` package and working-day arithmetic."""

import datetime as dt
from functools import lru_cache

import holidays

from config.errors import DomainError


@lru_cache(maxsize=1)
def supported_regions() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


def validate_working_days(days) -> list[int]:
    if not isinstance(days, list) or any(isinstance(d, bool) or not isinstance(d, int) for d in days):
        raise DomainError("Working days are a list of weekday numbers, 0 (Monday) to 6.", attr="working_days")
    if any(d < 0 or d > 6 for d in days):
        raise DomainError("Weekdays run from 0 (Monday) to 6 (Sunday).", attr="working_days")
    return sorted(set(days))


def validate_holiday_region(country: str, subdivision: str) -> tuple[str, str]:
    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip()
    if not country:
        if subdivision:
            # Without a country no subdivision is known (schema-valid input meets this: "unknown").
            raise DomainError("A subdivision needs a holiday country.", code="unknown", attr="holiday_subdivision")
        return "", ""
    regions = supported_regions()
    if country not in regions:
        raise DomainError(f"'{country}' is not a supported holiday country (ISO 3166 alpha-2).", attr="holiday_country")
    if subdivision:
        by_upper = {s.upper(): s for s in regions[country]}
        if subdivision.upper() not in by_upper:
            raise DomainError(
                f"'{subdivision}' is not a subdivision of {country}.", code="unknown", attr="holiday_subdivision"
            )
        subdivision = by_upper[subdivision.upper()]
    return country, subdivision


@lru_cache(maxsize=256)
def _holiday_calendar(country: str, subdivision: str, year: int) -> dict[dt.date, str]:
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return dict(calendar.items())


def public_holidays(country: str, subdivision: str, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Public holidays in ``[start, end]`` (inclusive) for a region; empty without a country."""
    if not country:
        return {}
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _holiday_calendar(country, subdivision, year).items():
            if start <= day <= end:
                found[day] = name
    return found


def working_dates(user, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates in ``[start, end]`` that are working days for ``user`` and not public holidays."""
    off = public_holidays(user.holiday_country, user.holiday_subdivision, start, end)
    days = set(user.working_days or [])
    result = []
    day = start
    while day <= end:
        if day.weekday() in days and day not in off:
            result.append(day)
        day += dt.timedelta(days=1)
    return result
