"""Read-side query methods for absences."""

import datetime as dt

from django.db import models

from people.querysets import OwnedQuerySet


def open_after(moment: dt.datetime) -> models.Q:
    """Series whose last occurrence ends after ``moment`` (or that never end)."""
    return models.Q(series_end_at__gt=moment) | models.Q(series_end_at__isnull=True)


class AbsenceQuerySet(OwnedQuerySet):
    def overlapping(self, start: dt.datetime, end: dt.datetime):
        """Absences (or series) that may have time inside ``[start, end)``.

        One-off absences match exactly; a recurring series matches when its first occurrence starts
        before ``end`` and its last one ends after ``start`` (``series_end_at`` null = no end). Its
        occurrences still have to be expanded to know which fall inside the window.
        """
        # Two arms, each on its own partial index: one-off absences by their end (series_end_at is
        # end_at for them), series by series_end_at. A single start_at/series_end_at condition made
        # PostgreSQL walk the start_at index through all of history for a window near now.
        one_off = models.Q(recurrence="", end_at__gt=start, start_at__lt=end)
        series = ~models.Q(recurrence="") & models.Q(start_at__lt=end) & open_after(start)
        return self.filter(one_off | series)

    def away(self):
        """Only types that make their user unavailable (not e.g. ``meeting``)."""
        return self.filter(type__counts_as_away=True)
