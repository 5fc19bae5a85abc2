"""Reading ``WWW-Authenticate`` (RFC 9110 §11.6.1, RFC 6750 §3)."""

from __future__ import annotations

import re

_PARAM = re.compile(r'\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*(?:,|$)')
_SCHEME = re.compile(r"\s*,?\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:\s+|$)")


def parse_bearer_challenge(header: str | None) -> dict[str, str] | None:
    """The parameters of the Bearer challenge in ``header`` (lower-cased names), or None if there is none."""
    if not header:
        return None
    position = 0
    while position < len(header):
        scheme = _SCHEME.match(header, position)
        if not scheme:
            return None
        position = scheme.end()
        params: dict[str, str] = {}
        while position < len(header):
            param = _PARAM.match(header, position)
            if not param:
                break
            value = param.group(2) if param.group(2) is not None else param.group(3)
            params[param.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            position = param.end()
        if scheme.group(1).lower() == "bearer":
            return params
    return None
