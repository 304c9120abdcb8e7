"""The API's writes: issuing a key."""

from __future__ import annotations

from django.db import transaction

from .models import ApiKey


@transaction.atomic
def api_key_issue(*, key: ApiKey, actor=None) -> str:
    """Give ``key`` (unsaved, its fields filled) a new secret and save it with the secret's hash
    only; return the secret, to be shown once. Many-to-many fields are the caller's (the admin
    saves them after ``save_model``)."""
    raw, key.prefix, key.hashed_key = ApiKey.generate()
    key.created_by = actor if actor is not None and actor.pk else None
    key.save()
    return raw
