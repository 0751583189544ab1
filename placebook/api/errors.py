"""One JSON error shape for the whole API: ``{"message": ..., "errors": {field: [..]}}``.

``message`` always names the field (or says the error is not about one), so a client that
shows only the message still tells the person what to fix.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from placebook.core.periods import PeriodParseError
from placebook.core.permissions import PermissionDenied
from placebook.purchasing.services.errors import (
    AlreadyAwarded,
    DeadlinePassed,
    OutsideDelegation,
    PurchasingError,
)


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for field, messages in detail.items():
            if isinstance(messages, dict):
                for sub, sub_messages in _flatten(messages).items():
                    out[f"{field}.{sub}"] = sub_messages
            elif isinstance(messages, list) and messages and isinstance(messages[0], dict):
                for i, item in enumerate(messages):
                    for sub, sub_messages in _flatten(item).items():
                        out[f"{field}[{i}].{sub}"] = sub_messages
            else:
                out[field] = [
                    str(m) for m in (messages if isinstance(messages, list) else [messages])
                ]
        return out
    return {
        "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]
    }


def _message(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, messages in errors.items():
        text = " ".join(messages)
        parts.append(text if field == "non_field_errors" else f"{field}: {text}")
    return "; ".join(parts)


def _body(errors: dict[str, list[str]]) -> dict:
    return {"message": _message(errors), "errors": errors}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with what has already happened."
    default_code = "conflict"


# Services start a message with "field: " when the refusal is about that input.
_FIELD_MESSAGE = re.compile(r"(?P<field>[a-z_]+): (?P<text>.+)", re.DOTALL)


def _purchasing_error(error: PurchasingError) -> exceptions.APIException:
    message = str(error)
    if isinstance(error, AlreadyAwarded | DeadlinePassed):
        return Conflict(message)
    if isinstance(error, OutsideDelegation):
        # The request is sound; this approver lacks the authority for it.
        return exceptions.PermissionDenied(message)
    if match := _FIELD_MESSAGE.fullmatch(message):
        return exceptions.ValidationError({match["field"]: [match["text"]]})
    return exceptions.ValidationError([message])


def json_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        errors = {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
        return Response(_body(errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PeriodParseError):
        return Response(_body({"text": [str(exc)]}), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, PurchasingError):
        exc = _purchasing_error(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body(_flatten(exc.detail))
    else:
        detail = (
            response.data.get("detail", response.data)
            if isinstance(response.data, dict)
            else response.data
        )
        response.data = {"message": str(detail), "errors": {}}
    return response
