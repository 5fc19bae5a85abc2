"""Checking a password at sign-in, shared by the login form and the password grant (RFC 6749 §4.3).

The source address's budgets (``brute_force``) are checked first: over budget, the password is not
checked at all. The KDF runs for unknown users too, so the answer takes as long whoever is asked about. A
failure is counted on those budgets; a success forgets this address's failures for the user and, when
the stored hash is of an older scheme or weaker parameters, stores a new one (one conditional
UpdateItem, only then).
"""

from __future__ import annotations

from oauth_core import audit, brute_force, observability
from oauth_core.hashing import hash_password, needs_rehash, verify_password
from oauth_core.storage import dynamo, users


def sign_in(username: str, password: str, items: dynamo.Items, address: str, client_id: str,
            channel: str, throttled_error: str) -> users.User | None:
    """The user whose password this is, or None (counted and audited) for any failure;
    ``TooManyAttempts`` with the RFC code ``throttled_error`` when the address must wait."""
    brute_force.check(items, username, address, throttled_error, client_id)
    user = users.from_item(items.get("user"))
    if not verify_password(password, user.password_hash if user else None) or user is None or user.disabled:
        reason = "unknown user" if user is None else "disabled user" if user.disabled else "wrong password"
        brute_force.failed(username, address)
        observability.count("LoginsFailed", "channel", channel)
        audit.event("sign_in", "failure", user=username, client_id=client_id, reason=reason, channel=channel)
        return None
    brute_force.succeeded(items, username, address)
    if needs_rehash(user.password_hash):
        try:
            users.replace_password_hash(user.username, user.password_hash, hash_password(password))
            observability.logger.info("password hash upgraded", extra={"username": user.username})
        except dynamo.ConditionFailed:
            pass  # the password was changed meanwhile: the new hash is already current
    audit.event("sign_in", "success", user=user.username, client_id=client_id, channel=channel)
    return user
