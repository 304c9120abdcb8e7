"""Domain errors raised by services; views turn them into messages in the user's language."""

from django.core.exceptions import ValidationError


class ActionNotAllowed(ValidationError):
    """The action is not allowed in the object's current state or for this user; nothing was changed."""
