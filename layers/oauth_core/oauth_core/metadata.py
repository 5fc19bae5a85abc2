"""Authorization server metadata (RFC 8414): what this server supports, built from the registries the
code dispatches on (grant types, response types, client authentication methods, assertion algorithms,
PKCE methods), so the document cannot promise what the code does not do."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from oauth_core import assertions, authorization_request, client_auth, cors, grants, issuer, pkce
from oauth_core.http import Response

if TYPE_CHECKING:
    from oauth_core.http import Request

WELL_KNOWN = "/.well-known/oauth-authorization-server"
AUTHORIZE, TOKEN, REVOKE, INTROSPECT = "/oauth/authorize", "/oauth/token", "/oauth/revoke", "/oauth/introspect"
MAX_AGE = 300


def document() -> dict[str, Any]:
    """The metadata of the issuer of the request being served (``issuer.bind``)."""
    # Assertion-based methods sign with the algorithms assertions.verify accepts; the others need none.
    methods = list(client_auth.METHODS)
    algorithms = list(assertions.RSA_ALGORITHMS)
    response_types = list(authorization_request.RESPONSE_TYPES)
    return {
        "issuer": issuer.current(),
        "authorization_endpoint": issuer.endpoint(AUTHORIZE),
        "token_endpoint": issuer.endpoint(TOKEN),
        "revocation_endpoint": issuer.endpoint(REVOKE),
        "introspection_endpoint": issuer.endpoint(INTROSPECT),
        "response_types_supported": response_types,
        "response_modes_supported": ["query", "fragment"],  # redirects.attach: query for code, fragment for token
        "grant_types_supported": list(grants.REGISTRABLE),
        "token_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": algorithms,
        "revocation_endpoint_auth_methods_supported": methods,  # RFC 7009 §5: a public client revokes its own
        "revocation_endpoint_auth_signing_alg_values_supported": algorithms,
        "introspection_endpoint_auth_methods_supported": [m for m in methods if m != client_auth.NONE],
        "introspection_endpoint_auth_signing_alg_values_supported": algorithms,
        "code_challenge_methods_supported": list(pkce.METHODS),
        "authorization_response_iss_parameter_supported": True,
    }


def serve_metadata(request: Request) -> Response:
    """GET only (the gateway routes no other method here); readable by any page (public, no credentials)."""
    cors.allow_any()
    return Response(200, json.dumps(document()), {"Content-Type": "application/json",
                                                  "Cache-Control": f"public, max-age={MAX_AGE}"})

