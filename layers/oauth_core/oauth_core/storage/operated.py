"""The tables operators edit with ``oauthctl`` (clients, users, scope descriptions), written the same way:
a create never overwrites, a save never overwrites someone else's save, a delete says when there was
nothing to delete; each table raises errors of its own."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Generic, TypeVar

from oauth_core.storage import dynamo, model

if TYPE_CHECKING:
    from collections.abc import Callable


R = TypeVar("R", bound=model.Record)


def _error(module: str, name: str, doc: str) -> type[Exception]:
    return type(name, (Exception,), {"__doc__": doc, "__module__": module})


def _nothing(key: str) -> None:
    return None


class Table(Generic[R]):
    """``model`` items in the table ``name()`` names (read at each call: settings are per process),
    keyed by ``key``; ``written`` hears of every write to a key (the client cache forgets it)."""

    def __init__(self, module: str, what: str, records: type[R], name: Callable[[], str], key: str,
                 written: Callable[[str], None] = _nothing) -> None:
        self.records, self.name, self.key, self.written = records, name, key, written
        self.AlreadyExists = _error(module, "AlreadyExists", f"{what} exists already; nothing was overwritten.")
        self.NotFound = _error(module, "NotFound", f"No such {what}.")
        self.Conflict = _error(module, "Conflict", f"The {what} was changed by someone else since it was read; "
                                                   "nothing was written.")

    def get(self, value: str) -> R | None:
        item = dynamo.get(self.name(), {self.key: value})
        return None if item is None else model.from_item(self.records, item)

    def create(self, record: R) -> None:
        """Write a new item; ``AlreadyExists`` (nothing overwritten) when the key is taken."""
        value = getattr(record, self.key)
        try:
            dynamo.put_if(self.name(), record.to_item(), self.key, exists=False)
        except dynamo.ConditionFailed:
            raise self.AlreadyExists(value) from None
        finally:
            self.written(value)

    def save(self, record: R) -> R:
        """Replace the item as read (``record.revision``), with the next revision, which it returns.
        ``NotFound`` if it was deleted meanwhile, ``Conflict`` if someone else saved it meanwhile."""
        value, read = getattr(record, self.key), getattr(record, "revision")  # noqa: B009 - any record
        saved: R = dataclasses.replace(record, revision=read + 1)  # type: ignore[type-var]
        try:
            dynamo.save_revision(self.name(), saved.to_item(), self.key, read)
        except dynamo.ConditionFailed as exc:
            raise (self.NotFound if exc.item is None else self.Conflict)(value) from None
        finally:
            self.written(value)
        return saved

    def replace(self, record: R) -> None:
        """Overwrite an item that exists (no revisions); ``NotFound`` otherwise."""
        try:
            dynamo.put_if(self.name(), record.to_item(), self.key, exists=True)
        except dynamo.ConditionFailed:
            raise self.NotFound(getattr(record, self.key)) from None

    def delete(self, value: str) -> None:
        try:
            dynamo.delete_existing(self.name(), {self.key: value})
        except dynamo.ConditionFailed:
            raise self.NotFound(value) from None
        finally:
            self.written(value)

    def list_all(self) -> list[R]:
        """Every item, by key (a scan: operators' listings only)."""
        records = [model.from_item(self.records, item) for item in dynamo.scan(self.name())]
        return sorted(records, key=lambda r: str(getattr(r, self.key)))
