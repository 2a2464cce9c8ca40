"""One place turns the services' refusals into API answers, so views just call services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kotapintar.core.exceptions import RateLimited
from kotapintar.core.services.workflow import WorkflowConflict


def exception_handler(exc, context):
    """Django's ValidationError -> 400 with the messages per field; WorkflowConflict -> 409; a complaint
    flood (RateLimited) -> 429. The rest (PermissionDenied -> 403, Http404 -> 404, DRF's own errors) as DRF
    answers them."""
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, WorkflowConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RateLimited):
        return Response({"detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    return drf_exception_handler(exc, context)
