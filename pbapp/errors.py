"""Errors services raise; views turn them into pages, never the other way round."""

from __future__ import annotations


class DomainError(Exception):
    """A use case could not go ahead; the message is plain English for the person acting."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class InvalidRows(Invalid):
    """Every fault found in an upload at once, each naming its line; `message` is the first of `faults`."""

    def __init__(self, faults: list[str], *, field: str | None = None):
        super().__init__(faults[0], field=field)
        self.faults = faults


def form_status(form) -> int:
    """Return 422 when a form comes back with errors (beside fields or at its top), else 200."""
    return 422 if form.errors or form.form_errors else 200


def show_on_form(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it names, or at the top of the form."""
    messages = getattr(error, "faults", None) or [error.message]
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + messages
    else:
        form.form_errors.extend(messages)
