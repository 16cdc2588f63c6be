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


def form_status(form) -> int:
    """Return 422 when a form comes back with errors (beside fields or at its top), else 200."""
    return 422 if form.errors or form.form_errors else 200


def show_on_form(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it names, or at the top of the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
