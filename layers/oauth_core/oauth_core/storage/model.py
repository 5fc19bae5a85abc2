"""One declaration per stored model: each dataclass field says how it is stored, and ``to_item`` /
``from_item`` / projections are derived from the fields, so an attribute is named once.

Times: epoch seconds and durations in seconds carry no suffix; milliseconds always end in ``_ms``. Stored
attribute names predate that rule and never change (deployed tables keep their items, exports their
format): a field whose Python name differs declares its stored one (``stored=``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

T = TypeVar("T")
_REQUIRED: Any = object()  # the item must hold the attribute (a key)
_DEFAULT: Any = object()  # an absent attribute reads as the field's default
_LOADED: Any = object()  # an absent attribute reads as ``load(None)``, made anew for each item


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Stored:
    """How one field is stored: under ``name`` (the field's own when None), written as ``dump(value)``
    (None: left out of the item) unless ``written`` is False (only an update sets it), read back with
    ``load``; ``absent`` is what an item without the attribute reads as."""

    name: str | None = None
    dump: Callable[[Any], Any] = _same
    load: Callable[[Any], Any] = _same
    absent: Any = _DEFAULT
    written: bool = True


def _field(default: Any, stored: Stored, factory: Callable[[], Any] | None = None, init: bool = True) -> Any:
    meta = {"stored": stored}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, init=init, metadata=meta)


def key() -> Any:
    """The item's key: required when reading."""
    return _field(dataclasses.MISSING, Stored(absent=_REQUIRED))


def constant(value: str) -> Any:
    """An attribute every item of the model carries with the same value (``kind``); not an argument."""
    return _field(value, Stored(), init=False)


def text(default: Any = dataclasses.MISSING, *, absent: Any = _DEFAULT, omit_empty: bool = False,
         written: bool = True) -> Any:
    """A string; ``omit_empty`` leaves "" out of the item (sparse index attributes)."""
    absent = ("" if default is dataclasses.MISSING else default) if absent is _DEFAULT else absent
    return _field(default, Stored(dump=(lambda v: v or None) if omit_empty else _same, absent=absent,
                                  written=written))


def optional_text() -> Any:
    return _field(None, Stored(absent=None))


def number(default: Any = dataclasses.MISSING, *, stored: str | None = None, omit_zero: bool = False,
           written: bool = True) -> Any:
    """An integer (DynamoDB answers Decimal); ``omit_zero`` leaves 0 out of the item."""
    return _field(default, Stored(name=stored, dump=(lambda v: v or None) if omit_zero else _same, load=int,
                                  absent=0 if default is dataclasses.MISSING else default, written=written))


def optional_number() -> Any:
    return _field(None, Stored(load=lambda v: None if v is None else int(v), absent=None))


def flag(default: bool = False) -> Any:
    return _field(default, Stored(load=bool, absent=default))


def string_set() -> Any:
    """A frozenset stored as a sorted list (exports and diffs stay stable)."""
    return _field(None, Stored(dump=sorted, load=frozenset), factory=frozenset)


def string_list() -> Any:
    """A tuple stored as a list, in its order."""
    return _field((), Stored(dump=list, load=tuple))


def custom(load: Callable[[Any], Any], *, factory: Callable[[], Any] | None = None, stored: str | None = None,
           written: bool = True) -> Any:
    """Any other conversion, read with ``load`` (absent: ``load(None)``); required unless ``factory``."""
    return _field(dataclasses.MISSING, Stored(name=stored, load=load, absent=_LOADED, written=written), factory)


class Record:
    """A model's base: its ``to_item``, from its fields' declarations."""

    def to_item(self) -> dict[str, Any]:
        return to_item(self)


_declared: dict[type, tuple[tuple[dataclasses.Field[Any], Stored, str], ...]] = {}


def _stored(cls: type) -> tuple[tuple[dataclasses.Field[Any], Stored, str], ...]:
    """Each field with its declaration and stored name (once per model: reads are on every request's path)."""
    if cls not in _declared:
        _declared[cls] = tuple((f, f.metadata["stored"], f.metadata["stored"].name or f.name)
                               for f in dataclasses.fields(cls))
    return _declared[cls]


def attributes(cls: type, *names: str) -> tuple[str, ...]:
    """The stored names of the fields ``names`` (a projection), in that order."""
    by_field = {f.name: name for f, _, name in _stored(cls)}
    return tuple(by_field[n] for n in names)


def to_item(record: Any) -> dict[str, Any]:
    """The item ``record`` is stored as (None values stay in: ``dynamo.marshal`` leaves them out)."""
    return {name: stored.dump(getattr(record, f.name)) for f, stored, name in _stored(type(record)) if stored.written}


def from_item(cls: type[T], item: Mapping[str, Any]) -> T:
    """The model of a stored item; an absent attribute reads as declared (``KeyError`` for a key)."""
    values: dict[str, Any] = {}
    for f, stored, name in _stored(cls):
        if not f.init:
            continue
        if stored.absent is _REQUIRED:
            values[f.name] = item[name]
        elif name in item or stored.absent is _LOADED:
            values[f.name] = stored.load(item.get(name))
        elif stored.absent is _DEFAULT:
            values[f.name] = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        else:
            values[f.name] = stored.absent
    return cls(**values)
