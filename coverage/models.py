"""Coverage keeps one table of its own: when an auto-reply was last allowed for a work item."""

from django.conf import settings
from django.db import models


class ReplyLog(models.Model):
    """The last time ``coverage_resolve`` answered ``reply: true`` for (assignee, issue key).

    One row per pair, claimed with a conditional update or a unique insert, so two simultaneous
    resolves for the same issue cannot both be told to post the auto-reply.
    """

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    issue_key = models.CharField(max_length=255)
    replied_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignee", "issue_key"], name="coverage_replylog_assignee_issue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issue_key} → {self.assignee} at {self.replied_at:%Y-%m-%d %H:%M}"
