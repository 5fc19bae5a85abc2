"""The users table: resource owners keyed by ``username``; passwords only as Argon2id hashes (older
releases stored scrypt hashes, replaced at the next sign-in)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import actions, dynamo, model


class AlreadyExists(Exception):
    """A user with this name already exists; nothing was overwritten."""


class NotFound(Exception):
    """No user with this name."""


class Conflict(Exception):
    """The user was changed by someone else since it was read; nothing was written."""


@dataclass(frozen=True)
class User:
    username: str = model.key()
    password_hash: str = model.text()
    disabled: bool = model.flag()
    created_at: int = model.number(0)
    tokens_valid_after_ms: int = model.number(0, stored="tokens_valid_after")  # tokens issued earlier are revoked
    revision: int = model.number(0)  # bumped by every operator's save and by the sign-in's rehash

    def to_item(self) -> dict[str, Any]:
        return model.to_item(self)


# What a token check reads of a user: never the password hash (template.yaml grants the read-only
# functions these attributes only).
CHECKED_ATTRIBUTES = model.attributes(User, "username", "disabled", "tokens_valid_after_ms")


def key(username: str) -> tuple[str, dict[str, str]]:
    return settings().users_table, {"username": username}


def from_item(item: dict[str, Any] | None) -> User | None:
    return None if item is None else model.from_item(User, item)


def get(username: str) -> User | None:
    return from_item(dynamo.get(*key(username)))


def create(user: User) -> None:
    try:
        dynamo.put_if(settings().users_table, user.to_item(), "username", exists=False)
    except dynamo.ConditionFailed:
        raise AlreadyExists(user.username) from None


def save(user: User) -> User:
    """Replace the user's item as read (``user.revision``); ``NotFound`` / ``Conflict`` as for clients."""
    saved = replace(user, revision=user.revision + 1)
    try:
        dynamo.save_revision(settings().users_table, saved.to_item(), "username", user.revision)
    except dynamo.ConditionFailed as exc:
        raise (NotFound if exc.item is None else Conflict)(user.username) from None
    return saved


def delete(username: str) -> None:
    try:
        dynamo.delete_existing(settings().users_table, {"username": username})
    except dynamo.ConditionFailed:
        raise NotFound(username) from None


def list_all() -> list[User]:
    users = [from_item(item) for item in dynamo.scan(settings().users_table)]
    return sorted((u for u in users if u is not None), key=lambda u: u.username)


def replace_password_hash(username: str, old_hash: str, new_hash: str) -> None:
    """Store a rehash of the same password, only if the stored hash is still ``old_hash``
    (``ConditionFailed`` otherwise: the password was changed meanwhile), as the next revision."""
    # A new revision, so an operator's command that read the user before cannot write the old hash back.
    actions.run(actions.update(settings().users_table, {"username": username},
                               "SET password_hash = :new ADD revision :one",
                               {":new": new_hash, ":old": old_hash, ":one": 1}, condition="password_hash = :old"))
