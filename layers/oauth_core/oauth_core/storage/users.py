"""The users table: resource owners keyed by ``username``; passwords only as Argon2id hashes (older
releases stored scrypt hashes, replaced at the next sign-in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import actions, model, operated


@dataclass(frozen=True)
class User(model.Record):
    username: str = model.key()
    password_hash: str = model.text()
    disabled: bool = model.flag()
    created_at: int = model.number(0)
    tokens_valid_after_ms: int = model.number(0, stored="tokens_valid_after")  # tokens issued earlier are revoked
    revision: int = model.number(0)  # bumped by every operator's save and by the sign-in's rehash


# What a token check reads of a user: never the password hash (template.yaml grants the read-only
# functions these attributes only).
CHECKED_ATTRIBUTES = model.attributes(User, "username", "disabled", "tokens_valid_after_ms")


def key(username: str) -> tuple[str, dict[str, str]]:
    return settings().users_table, {"username": username}


def from_item(item: dict[str, Any] | None) -> User | None:
    return None if item is None else model.from_item(User, item)


_TABLE = operated.Table(__name__, "user", User, lambda: settings().users_table, "username")
AlreadyExists, NotFound, Conflict = _TABLE.AlreadyExists, _TABLE.NotFound, _TABLE.Conflict
get, create, save, delete, list_all = _TABLE.get, _TABLE.create, _TABLE.save, _TABLE.delete, _TABLE.list_all


def replace_password_hash(username: str, old_hash: str, new_hash: str) -> None:
    """Store a rehash of the same password, only if the stored hash is still ``old_hash``
    (``ConditionFailed`` otherwise: the password was changed meanwhile), as the next revision."""
    # A new revision, so an operator's command that read the user before cannot write the old hash back.
    actions.run(actions.update(settings().users_table, {"username": username},
                               "SET password_hash = :new ADD revision :one",
                               {":new": new_hash, ":old": old_hash, ":one": 1}, condition="password_hash = :old"))
