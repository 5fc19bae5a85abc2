"""Client items kept for a few seconds in the container that read them.

Every token request, revocation and token check reads its client. One DynamoDB partition key serves
at most 3,000 read units a second, so without this one busy client (a mobile app whose every API call
goes through the authorizer) is throttled long before any table limit. With it, a container reads a
client at most once per ``CLIENT_CACHE_SECONDS``: a hot client costs about (warm containers / seconds)
reads a second whatever the request rate.

The price is staleness, bounded by the same figure: an operator's change to a client (disable, new
secret, ``tokens revoke``) reaches every container within ``CLIENT_CACHE_SECONDS`` of being written.
An entry's age counts from before the read that filled it, so the bound holds even for a read that
raced the write. Absent clients are kept too (a flood of requests for one unknown id would otherwise
be a hot key of its own), so a new client may be refused for that long. Users and tokens are never
kept: a user's disable and every revocation take effect at once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oauth_core.config import settings
from oauth_core.storage import dynamo

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

MAX_ENTRIES = 1024  # a container serving random client ids holds at most this many items
REREAD_AFTER = 1.0  # seconds: a copy that refuses credentials is read again once it is this old

_clock = time.monotonic  # the cache's only clock: tests move it instead of sleeping
_entries: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Any] | None]] = {}


def batch_get(requests: Mapping[str, tuple[str, Mapping[str, Any]]],
              projections: Mapping[str, Sequence[str]] | None = None) -> dict[str, dict[str, Any] | None]:
    """``dynamo.batch_get``, answering the clients table's keys from the cache when fresh: a request
    whose only read is its client makes no round trip at all."""
    config = settings()
    seconds = config.client_cache_seconds
    table = config.clients_table
    projection = tuple((projections or {}).get(table, ()))
    started = _clock()
    answered: dict[str, dict[str, Any] | None] = {}
    missing: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, (request_table, key) in requests.items():
        entry = _entries.get((key["client_id"], projection)) if request_table == table and seconds else None
        if entry is not None and entry[0] > started:
            answered[name] = entry[1]
        else:
            missing[name] = (request_table, key)
    if not missing:
        return answered
    fetched = dynamo.batch_get(missing, projections=projections)
    if seconds:
        for name, (request_table, key) in missing.items():
            if request_table == table:
                _keep((key["client_id"], projection), started + seconds, fetched[name])
    return {**answered, **fetched}


def _keep(key: tuple[str, tuple[str, ...]], fresh_until: float, item: dict[str, Any] | None) -> None:
    if len(_entries) >= MAX_ENTRIES:
        now = _clock()
        for stale in [k for k, (until, _) in _entries.items() if until <= now]:
            del _entries[stale]
        while len(_entries) >= MAX_ENTRIES:  # the oldest first: dicts keep insertion order
            del _entries[next(iter(_entries))]
    _entries.pop(key, None)
    _entries[key] = (fresh_until, item)


def authenticated(item: dict[str, Any] | None, client_id: str,
                  accepts: Callable[[dict[str, Any] | None], bool]) -> dict[str, Any] | None:
    """The client item against which presented credentials are checked: the kept copy, or, when it
    refuses them and is older than ``REREAD_AFTER`` seconds, the item read again. A secret rotated or a
    client registered or enabled a moment ago works at once, while wrong secrets cost at most one read
    of their client per container per ``REREAD_AFTER`` (they cannot make the client a hot key again)."""
    if accepts(item):
        return item
    key = (client_id, ())
    entry = _entries.get(key)
    seconds = settings().client_cache_seconds
    started = _clock()
    if entry is None or not seconds or started - (entry[0] - seconds) < REREAD_AFTER:
        return item  # read just now (or not kept at all): it is current
    fresh = dynamo.get(settings().clients_table, {"client_id": client_id})
    _keep(key, started + seconds, fresh)
    return fresh


def forget(client_id: str) -> None:
    """Drop a client this process has just written, so the process reads its own write (other
    containers see it within the bound)."""
    for key in [k for k in _entries if k[0] == client_id]:
        del _entries[key]


def clear() -> None:
    _entries.clear()
