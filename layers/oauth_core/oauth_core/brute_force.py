"""Failed-password budgets that slow guessing without locking anyone out (RFC 9700 §4.16, RFC 6819
§4.4.3.3 and §5.1.4.2.3, NIST SP 800-63B-4 §3.2.2).

Failures are counted where they come from: the source address API Gateway saw
(``requestContext.identity.sourceIp``), never anything the caller can forge; an IPv6 address counts as
its /64. Three counters, all read
in the same batched read as the user (a success costs no extra round trip):

- **user at address**, per day: ``FAILED_LOGIN_LIMIT`` free failures, then each further attempt from
  that address for that user waits ``FAILED_LOGIN_WINDOW`` seconds, doubling with every failure (up to
  a day): about 14 guesses a day per address and user, not 1,440. A success from that address clears it.
- **address**, per ``FAILED_LOGIN_WINDOW``: ``FAILED_LOGIN_ADDRESS_LIMIT`` failures over all usernames
  (a sliding estimate over this window and the last, so a burst across a window boundary counts
  whole), then that address is refused until the window ends (password spraying).
- **user**, per day, over all addresses: past ``FAILED_LOGIN_USER_LIMIT`` the user is under a
  distributed attack, and an address that has already failed for this user gets one free failure
  instead of ``FAILED_LOGIN_LIMIT``. It only ever slows addresses that failed: an address with no
  failure for this user is never refused because of others' failures, so the real user, from their
  own address, signs in with the right password whatever an attacker elsewhere did.

Over budget the password is not checked (429 + Retry-After, the same for right and wrong passwords and
for known and unknown users). Failures of client secrets are not budgeted: they are 256-bit random
values, nobody can guess them, and a lockout would only let anyone who knows a client id take it offline.
"""

from __future__ import annotations

import ipaddress
import math
import time
from typing import TYPE_CHECKING

from oauth_core import audit, observability
from oauth_core.config import settings
from oauth_core.errors import TooManyAttempts
from oauth_core.storage import attempts

if TYPE_CHECKING:
    from oauth_core.storage.dynamo import Items, Reads

DAY = 86400
_PAIR, _ADDRESS, _USER = "attempts_pair", "attempts_address", "attempts_user"
_ADDRESS_BEFORE = "attempts_address_before"


def source(address: str) -> str:
    """The subject of an address: an IPv4 address, or an IPv6 address's /64 (one subscriber's network:
    whoever has one address of it has them all)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _subjects(username: str, address: str) -> dict[str, str]:
    address = source(address)
    return {_PAIR: f"pair\x1f{username}\x1f{address}", _ADDRESS: f"address\x1f{address}", _USER: f"user\x1f{username}"}


def _windows(now: float) -> dict[str, int]:
    return {_PAIR: int(now) // DAY, _ADDRESS: int(now) // settings().failed_login_window, _USER: int(now) // DAY}


def reads(username: str, address: str, now: float | None = None) -> Reads:
    """The three counters, to fetch with the rest of the request's reads."""
    windows = _windows(time.time() if now is None else now)
    subjects = _subjects(username, address)
    return {**{name: attempts.key(subject, windows[name]) for name, subject in subjects.items()},
            _ADDRESS_BEFORE: attempts.key(subjects[_ADDRESS], windows[_ADDRESS] - 1)}


def check(items: Items, username: str, address: str, error: str, client_id: str | None = None,
          now: float | None = None) -> None:
    """``TooManyAttempts`` when the address, or the user at this address, must wait."""
    now = time.time() if now is None else now
    s = settings()
    window = s.failed_login_window
    retry_after, budget = 0, ""
    elapsed = (now % window) / window
    before = attempts.failures(items.get(_ADDRESS_BEFORE))
    from_address = attempts.failures(items.get(_ADDRESS)) + before * (1 - elapsed)
    if math.ceil(from_address) >= s.failed_login_address_limit:
        retry_after, budget = window - int(now) % window, "address"
    else:
        pair = items.get(_PAIR)
        free = s.failed_login_limit if attempts.failures(items.get(_USER)) < s.failed_login_user_limit else 1
        over = attempts.failures(pair) - free
        if over >= 0:
            delay = min(window * 2 ** min(over, 20), DAY)
            retry_after, budget = int(attempts.last_failure(pair) + delay - now), "user_address"
    if retry_after > 0:
        observability.count("CredentialsThrottled", "budget", budget)
        audit.event("throttled", "refused", user=username, client_id=client_id, reason=f"{budget} budget",
                    retry_after=retry_after)
        raise TooManyAttempts(error, retry_after, budget=budget)


def failed(username: str, address: str, now: float | None = None) -> None:
    """Count a wrong password (or an unknown or disabled user) on all three counters."""
    now = time.time() if now is None else now
    windows = _windows(now)
    window = settings().failed_login_window
    # Kept until their window ends (keys name the window, so an older one is never read); an address's
    # counter one window longer, as the next window's sliding estimate reads it.
    expiry = {_PAIR: (windows[_PAIR] + 1) * DAY, _ADDRESS: (windows[_ADDRESS] + 2) * window,
              _USER: (windows[_USER] + 1) * DAY}
    for name, subject in _subjects(username, address).items():
        attempts.record_failure(subject, windows[name], expiry[name] + 60, int(now))


def succeeded(items: Items, username: str, address: str, now: float | None = None) -> None:
    """A right password: this address's failures for this user are forgotten (one call, only if any)."""
    if attempts.failures(items.get(_PAIR)):
        attempts.clear(_subjects(username, address)[_PAIR], _windows(time.time() if now is None else now)[_PAIR])
