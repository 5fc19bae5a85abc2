"""The operations we price, each a request through its real handler, on tables built from template.yaml."""

from __future__ import annotations

import base64
import os
import re
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from local import events, tables
from local.worker import LambdaContext

if TYPE_CHECKING:
    from collections.abc import Callable

    from local.template import Stack

CLIENT_ID = "bench-client"
WEB_CLIENT_ID = "bench-web"
REDIRECT_URI = "https://app.example/cb"
JWT_CLIENT_ID = "bench-signer"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
RESOURCE_SERVER_ID = "bench-resource-server"
USERNAME, PASSWORD = "bench-user", "bench password"


def configure_env(stack: Stack) -> None:
    """The functions' environment from the template (what Lambda would set), plus fake credentials."""
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"})
    os.environ.update(stack.functions()[0].environment)


class Bench:
    """Seeded tables and a way to invoke each handler with an API Gateway proxy event."""

    def __init__(self, stack: Stack) -> None:
        from oauth_core.config import settings
        from oauth_core.hashing import digest, hash_password, random_secret
        from oauth_core.storage import clients, dynamo, users

        settings.cache_clear()
        dynamo.forget_clients()
        self.client = dynamo.client()
        tables.create(stack, self.client)
        self.secret = random_secret()
        clients.create(clients.Client(CLIENT_ID, digest(self.secret), name="bench",
                                      grant_types=frozenset({"client_credentials", "password", "refresh_token"}),
                                      scopes=frozenset({"orders:read", "orders:write"})))
        users.create(users.User(USERNAME, hash_password(PASSWORD)))
        self.web_secret = random_secret()
        clients.create(clients.Client(WEB_CLIENT_ID, digest(self.web_secret), name="bench web app",
                                      grant_types=frozenset({"authorization_code", "refresh_token"}),
                                      redirect_uris=(REDIRECT_URI,), scopes=frozenset({"orders:read"})))
        self.signing_key, pem = _key_and_certificate()
        clients.create(clients.Client(JWT_CLIENT_ID, grant_types=frozenset({JWT_BEARER}), certificates=(pem,),
                                      scopes=frozenset({"orders:read"})))
        self.rs_secret = random_secret()
        clients.create(clients.Client(RESOURCE_SERVER_ID, digest(self.rs_secret), grant_types=frozenset(
            {"client_credentials"}), introspect_clients=frozenset({CLIENT_ID})))
        self.handlers = {f.name: f.load() for f in stack.functions()}
        self.basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{self.secret}".encode()).decode()

    def event(self, method: str, path: str, form: dict[str, str] | None = None, query: str = "",
              authenticate: bool = True, basic: tuple[str, str] | None = None) -> dict[str, Any]:
        headers = [("Authorization", self.basic)] if method == "POST" and authenticate else []
        if basic is not None:
            headers.append(("Authorization", "Basic " + base64.b64encode(":".join(basic).encode()).decode()))
        if form is not None:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return events.build(method, path, query, headers, urlencode(form or {}).encode(), path)

    def invoke(self, name: str, event: dict[str, Any], status: int = 200) -> dict[str, Any]:
        context = LambdaContext(function_name=name, memory_limit_in_mb=512, aws_request_id=str(uuid.uuid4()),
                                invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
                                deadline=time.time() + 10)
        answer = self.handlers[name](event, context)
        if name == "authorizer":
            effect = answer["policyDocument"]["Statement"][0]["Effect"]
            if effect != "Allow":
                raise RuntimeError(f"authorizer answered {effect}")
        elif answer["statusCode"] != status:
            raise RuntimeError(f"{name} answered {answer['statusCode']}: {answer['body']}")
        return answer

    _AUTHORIZE_QUERY = urlencode({"response_type": "code", "client_id": WEB_CLIENT_ID, "redirect_uri": REDIRECT_URI,
                                  "scope": "orders:read", "state": "s", "prompt": "consent"})

    def authorize_event(self) -> dict[str, Any]:
        return events.build("GET", "/oauth/authorize", self._AUTHORIZE_QUERY, [], b"", "/oauth/authorize")

    def authorize_page(self, _: Any = None) -> dict[str, Any]:
        """GET /oauth/authorize from a new browser: the sign-in page (``prompt=consent``: the bench user
        approved the client before, and the consent page is what this row prices)."""
        return self.invoke("authorize", self.authorize_event())

    def signed_in_page(self) -> tuple[str, dict[str, Any]]:
        """The browser's cookie and the sign-in page it was shown."""
        page = self.authorize_page()
        return page["headers"]["Set-Cookie"].split(";")[0], page

    def post_authorize(self, state: tuple[str, dict[str, Any]], fields: dict[str, str],
                       status: int) -> tuple[str, dict[str, Any]]:
        """Post the form of the page in ``state`` (cookie, page) with ``fields``."""
        cookie, page = state
        flow = re.search(r'name="flow" value="([^"]+)"', page["body"]).group(1)
        body = urlencode({"flow": flow, **fields}).encode()
        headers = [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")]
        answer = self.invoke("authorize", events.build("POST", "/oauth/authorize", self._AUTHORIZE_QUERY,
                                                       headers, body, "/oauth/authorize"), status=status)
        started = (answer.get("headers") or {}).get("Set-Cookie")  # the browser session, after a sign-in
        return (f"{cookie}; {started.split(';')[0]}" if started else cookie), answer

    def login(self, state: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        return self.post_authorize(state, {"username": USERNAME, "password": PASSWORD, "action": "login"}, 200)

    def consent(self, state: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        return self.post_authorize(state, {"action": "approve"}, 303)

    def consent_page(self) -> tuple[str, dict[str, Any]]:
        return self.login(self.signed_in_page())

    def authorization_code(self) -> str:
        """A code through the authorize pages (sign in, approve), as a browser would get it."""
        from urllib.parse import parse_qs, urlsplit

        _, redirect = self.consent(self.consent_page())
        return parse_qs(urlsplit(redirect["headers"]["Location"]).query)["code"][0]

    def bearer_event(self, access: str, authorizer: bool = False) -> dict[str, Any]:
        path = "/oauth/protected/gateway" if authorizer else "/oauth/protected"
        event = events.build("GET", path, "", [("Authorization", f"Bearer {access}")], b"", path)
        if authorizer:
            arn = f"arn:aws:execute-api:us-east-1:123456789012:local/api/GET{path}"
            event.update({"type": "REQUEST", "methodArn": arn})
        return event

    def token(self, **form: str) -> dict[str, Any]:
        import json

        return json.loads(self.invoke("token", self.event("POST", "/oauth/token", form))["body"])

    def operations(self) -> dict[str, tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]]:
        """``name -> (prepare, run)``: ``prepare()`` makes fresh inputs (not measured), ``run(inputs)``
        is one request through one handler."""
        access = self.token(grant_type="client_credentials")["access_token"]
        chain = {"refresh": self.token(grant_type="password", username=USERNAME, password=PASSWORD)["refresh_token"]}

        def refresh(refresh_token: str) -> dict[str, Any]:
            answer = self.token(grant_type="refresh_token", refresh_token=refresh_token)
            chain["refresh"] = answer["refresh_token"]
            return answer

        def nothing() -> None:
            return None

        def assertion() -> str:
            import jwt

            now = int(time.time())
            return jwt.encode({"iss": JWT_CLIENT_ID, "aud": "https://127.0.0.1/api/oauth/token", "exp": now + 120,
                               "iat": now, "jti": uuid.uuid4().hex}, self.signing_key, algorithm="RS256")

        return {
            "client_credentials": (nothing, lambda _: self.token(grant_type="client_credentials")),
            "jwt_bearer": (assertion, lambda token: self.invoke("token", self.event(
                "POST", "/oauth/token", {"grant_type": JWT_BEARER, "assertion": token}, authenticate=False))),
            "password": (nothing, lambda _: self.token(grant_type="password", username=USERNAME, password=PASSWORD)),
            "refresh_token": (lambda: chain["refresh"], refresh),
            "authorize_page": (nothing, self.authorize_page),
            "login": (self.signed_in_page, self.login),
            "consent": (self.consent_page, self.consent),
            "code_exchange": (self.authorization_code, lambda code: self.invoke("token", self.event(
                "POST", "/oauth/token", {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                         "client_id": WEB_CLIENT_ID, "client_secret": self.web_secret},
                authenticate=False))),
            "tokeninfo": (nothing, lambda _: self.invoke("tokeninfo", self.event(
                "GET", "/oauth/tokeninfo", query=urlencode({"access_token": access})))),
            "protected": (nothing, lambda _: self.invoke("protected", self.bearer_event(access))),
            "authorizer": (nothing, lambda _: self.invoke("authorizer", self.bearer_event(access, authorizer=True))),
            # A resource server introspecting another client's token (RFC 7662): one batched read.
            "introspection": (nothing, lambda _: self.invoke("introspect", self.event(
                "POST", "/oauth/introspect", {"token": access}, authenticate=False,
                basic=(RESOURCE_SERVER_ID, self.rs_secret)))),
            "metadata": (nothing, lambda _: self.invoke("metadata", self.event(
                "GET", "/.well-known/oauth-authorization-server"))),
            "revoke_access_token": (lambda: self.token(grant_type="client_credentials")["access_token"],
                                    lambda token: self.invoke("revoke", self.event("POST", "/oauth/revoke",
                                                                                   {"token": token}))),
        }


def _key_and_certificate() -> tuple[Any, str]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, JWT_CLIENT_ID)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
