"""Read-side query methods for absences."""

import datetime as dt

from django.db import models

from people.querysets import OwnedQuerySet


class AbsenceQuerySet(OwnedQuerySet):
    def overlapping(self, start: dt.datetime, end: dt.datetime):
        """Absences (or series) that may have time inside ``[start, end)``.

        One-off absences match exactly; a recurring series matches when its first occurrence starts
        before ``end`` and its last one ends after ``start`` (``series_end_at`` null = no end). Its
        occurrences still have to be expanded to know which fall inside the window.
        """
        return self.filter(start_at__lt=end).filter(
            models.Q(series_end_at__gt=start) | models.Q(series_end_at__isnull=True)
        )

    def away(self):
        """Only types that make their user unavailable (not e.g. ``meeting``)."""
        return self.filter(type__counts_as_away=True)
