from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any unknown path under /api/ answers a JSON 404 in the error shape, for every method."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()
