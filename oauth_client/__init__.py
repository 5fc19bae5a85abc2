"""A small OAuth 2.0 client for this server (and any RFC 6749/6750 server): it gets tokens from the
token endpoint, caches them until shortly before they expire, and when a resource answers 401 it gets
a new token and retries the call once, as IBM z/OS Connect's ``tokenRetryCheckLevel`` does:

- ``token_retry_check_level=3`` (default): only when the 401 carries
  ``WWW-Authenticate: Bearer error="invalid_token"`` (RFC 6750 §3.1);
- ``token_retry_check_level=1``: on any 401.

A request whose body cannot be sent twice (a file or a generator) is never retried.
Needs ``requests``.
"""

from oauth_client.challenge import parse_bearer_challenge
from oauth_client.client import OAuthClient, TokenError

__all__ = ["OAuthClient", "TokenError", "parse_bearer_challenge"]
