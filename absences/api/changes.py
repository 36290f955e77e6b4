"""The absences change feed over the API: ``GET /api/v1/absences/changes/`` (docs/changes.md)."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from absences import changes
from absences.api.serializers import AbsenceSerializer
from config.api.access import acts_as_admin
from config.api.errors import Gone, validation_error
from config.api.params import single_param
from config.api.schema import ErrorResponseSerializer


class AbsenceSnapshotSerializer(AbsenceSerializer):
    """An absence as it was right after a change: the stored fields, without ``warnings``,
    ``state`` and ``working_days`` (those depend on the moment of reading: GET the absence)."""

    class Meta(AbsenceSerializer.Meta):
        fields = [name for name in AbsenceSerializer.Meta.fields if name not in ("warnings", "state", "working_days")]


class ChangeSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    id = serializers.IntegerField(help_text="The absence's id")
    at = serializers.DateTimeField(help_text="When the change was written (UTC)")
    absence = AbsenceSnapshotSerializer(allow_null=True, help_text="The absence after an upsert; null for a delete")


class ChangesPageSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass as `cursor` for the changes after this page")


# What ``encode_cursor`` writes: base64url without padding (empty: from the oldest kept change).
CURSOR_CHARACTERS = r"[A-Za-z0-9_-]*"


class CursorExpired(Gone):
    default_detail = "This cursor is older than the kept change history (90 days): read the absences again."
    default_code = "cursor_expired"


class AbsenceChangesView(APIView):
    """Creates, updates and deletes of the absences you may see, in commit order.

    Start with an empty `cursor` (the oldest kept change, changes are kept at least 90 days), then
    pass each `next_cursor`; an empty `changes` list means you are up to date. A delete is a
    tombstone (`absence: null`). A cursor older than the kept history is a 410 (`cursor_expired`):
    read `/absences/` again and restart from an empty cursor.
    """

    @extend_schema(
        operation_id="absences_changes",
        parameters=[
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": f"^{CURSOR_CHARACTERS}$"},
                description="`next_cursor` of the previous page; empty: from the start",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": changes.MAX_LIMIT},
                description=f"Changes per page (default {changes.DEFAULT_LIMIT}, max {changes.MAX_LIMIT})",
            ),
        ],
        responses={
            200: ChangesPageSerializer,
            410: OpenApiResponse(ErrorResponseSerializer, description="The cursor is older than the kept history."),
        },
    )
    def get(self, request):
        limit = _limit(single_param(request.query_params, "limit"))
        cursor = single_param(request.query_params, "cursor", "")
        if not re.fullmatch(CURSOR_CHARACTERS, cursor):
            raise validation_error("Give a next_cursor of this change feed.", attr="cursor")
        try:
            page = changes.changes_page(viewer=request.user, admin=acts_as_admin(request), cursor=cursor, limit=limit)
        except changes.CursorInvalid:
            # Well-formed but never issued (or beyond the newest change): a reference naming nothing.
            raise validation_error(
                "This cursor was not issued by this change feed.", attr="cursor", code="unknown"
            ) from None
        except changes.CursorExpired:
            raise CursorExpired from None
        return Response({"changes": page.changes, "next_cursor": page.next_cursor})


def _limit(raw: str | None) -> int:
    if raw is None:  # ``?limit=`` is no more a number than ``?limit=x`` (the schema says integer)
        return changes.DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= changes.MAX_LIMIT:
        raise validation_error(f"Give a whole number from 1 to {changes.MAX_LIMIT}.", attr="limit")
    return int(raw)
