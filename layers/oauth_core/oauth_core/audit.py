"""Security events: one structured log line per security decision, for investigations.

Every line carries ``"audit": true``, an ``event_type``, an ``outcome``, and who and where: ``user``,
``client_id``, ``source_ip`` (API Gateway's ``requestContext.identity.sourceIp``), ``user_agent``,
``request_id`` and a ``reason``. Never a password, secret, token, code or assertion: callers pass ids
and reasons only. The lines go to a logger of their own at INFO whatever ``LogLevel`` says, so turning
debugging down never turns the audit trail off (they go to stderr, which Lambda sends to CloudWatch
like stdout; oauthctl's audit lines thus stay out of its JSON output). The Logs Insights queries in template.yaml
(``AWS::Logs::QueryDefinition``) filter on these fields.

Event types (``EVENTS``): ``sign_in`` (success / failure), ``throttled`` (a failed-password budget
refused an attempt), ``consent`` (granted / denied / cancelled), ``session`` (a browser session
started: success, or ended at logout: ended), ``token_issued``, ``token_refused``,
``replay_detected`` (a code, refresh token or assertion used twice), ``token_revoked``,
``client_auth`` (failure), ``admin`` (a change made with oauthctl).
"""

from __future__ import annotations

import contextvars
import functools
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauth_core.http import Request

EVENTS = ("sign_in", "throttled", "consent", "token_issued", "token_refused", "replay_detected", "token_revoked",
          "client_auth", "admin", "session")
_MAX_FIELD = 256
_current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("audit_request", default=None)
_logged: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_logged", default=False)


@functools.cache
def _logger() -> Any:
    from aws_lambda_powertools import Logger

    from oauth_core.observability import logger

    # stderr: CloudWatch gets it from Lambda as it gets stdout, and oauthctl's stdout stays its JSON output.
    return Logger(service=f"{logger.service}-audit", level="INFO", stream=sys.stderr)


def bind(request: Request | None) -> None:
    """The request whose address and user agent the next events of this invocation carry."""
    _current.set(request)
    _logged.set(False)


def logged() -> bool:
    """Whether this invocation has audited a failure or refusal already (it is then not audited twice)."""
    return _logged.get()


def _clip(value: Any) -> Any:
    return value[:_MAX_FIELD] if isinstance(value, str) else value


def event(event_type: str, outcome: str, *, user: str | None = None, client_id: str | None = None,
          reason: str | None = None, **details: Any) -> None:
    """Log one security event; empty fields are left out of the line."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown audit event type {event_type!r}")
    request = _current.get()
    fields = {"audit": True, "event_type": event_type, "outcome": outcome, "user": user, "client_id": client_id,
              "reason": reason, **details}
    if request is not None:
        fields.update(source_ip=request.source_ip or None, user_agent=request.header("user-agent"),
                      request_id=request.request_id)
    if outcome not in ("success", "granted"):  # a later refusal of the same request is still audited
        _logged.set(True)
    _logger().info(f"audit {event_type} {outcome}",
                   extra={k: _clip(v) for k, v in fields.items() if v is not None and v != ""})
