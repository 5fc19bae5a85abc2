"""Issue 15 against the local stack: client libraries we did not write (Authlib, requests-oauthlib)
configured only from the RFC 8414 metadata document, and a browser app on another loopback origin doing
code + PKCE with fetch() in headless Chromium (CORS)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from local.launcher import free_port
from tests.conftest import make_certificate
from tests.e2e.helpers import CHROMIUM_ARGS, chromium_path, sign_in_and_approve
from tests.e2e.test_browser import pkce_pair, sign_in

WELL_KNOWN = "/.well-known/oauth-authorization-server"
REDIRECT = "https://localhost/oauth_callback"  # the seeded demo client's
SCOPE = "https://localhost:8090/auth/userinfo.email"


@pytest.fixture(scope="module")
def meta(local_stack):
    r = requests.get(f"{local_stack.url}{WELL_KNOWN}", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["issuer"] == local_stack.url
    return doc


def iss_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["iss"][0]


def test_authlib_from_metadata_code_pkce_refresh_introspect_revoke(local_stack, meta):
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(local_stack.client_id, local_stack.client_secret, redirect_uri=REDIRECT, scope=SCOPE,
                            code_challenge_method=meta["code_challenge_methods_supported"][0])
    verifier = generate_token(48)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    location = sign_in_and_approve(url).location
    assert iss_of(location) == meta["issuer"]  # RFC 9207: the client checks who answered
    token = session.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    info = session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert info["active"] is True and info["username"] == "admin" and info["client_id"] == local_stack.client_id
    assert session.revoke_token(meta["revocation_endpoint"], refreshed["refresh_token"],
                                token_type_hint="refresh_token").status_code == 200
    after = session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert after == {"active": False}


@pytest.fixture(scope="module")
def keyed_client(local_stack):
    key, pem = make_certificate()
    return key, pem


def test_authlib_private_key_jwt_from_metadata(local_stack, meta, store, keyed_client):
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT
    from cryptography.hazmat.primitives import serialization

    from oauth_core.hashing import digest, random_secret
    from oauth_core.storage import clients

    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
    key, pem = keyed_client
    client_id = f"keyed-{secrets.token_hex(4)}"
    # A confidential client (oauthctl gives it a secret) that authenticates with its key instead.
    clients.create(clients.Client(client_id=client_id, secret_hash=digest(random_secret()),
                                  grant_types=frozenset({"client_credentials"}),
                                  scopes=frozenset({"read"}), certificates=(pem,), created_at=int(time.time())))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    assert "private_key_jwt" in meta["revocation_endpoint_auth_methods_supported"]
    session = OAuth2Session(client_id, private, token_endpoint_auth_method=PrivateKeyJWT(meta["token_endpoint"]),
                            revocation_endpoint_auth_method=PrivateKeyJWT(meta["token_endpoint"]))
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["scope"] == "read"
    info = session.introspect_token(meta["introspection_endpoint"], token=token["access_token"]).json()
    assert info["active"] is True and info["client_id"] == client_id
    assert session.revoke_token(meta["revocation_endpoint"], token["access_token"]).status_code == 200
    assert session.introspect_token(meta["introspection_endpoint"], token=token["access_token"]).json() == {
        "active": False}


def test_requests_oauthlib_from_metadata_code_pkce_refresh(local_stack, meta, monkeypatch):
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the local stack is plain http on loopback
    session = OAuth2Session(local_stack.client_id, redirect_uri=REDIRECT, scope=[SCOPE], pkce="S256")
    url, _ = session.authorization_url(meta["authorization_endpoint"])
    location = sign_in_and_approve(url).location
    assert iss_of(location) == meta["issuer"]
    token = session.fetch_token(meta["token_endpoint"], authorization_response=location,
                                client_secret=local_stack.client_secret)
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"],
                                      auth=(local_stack.client_id, local_stack.client_secret))
    assert refreshed["access_token"] != token["access_token"]
    auth = (local_stack.client_id, local_stack.client_secret)
    info = requests.post(meta["introspection_endpoint"], data={"token": refreshed["access_token"]}, auth=auth,
                         timeout=10).json()
    assert info["active"] is True
    assert requests.post(meta["revocation_endpoint"], data={"token": refreshed["refresh_token"]}, auth=auth,
                         timeout=10).status_code == 200


# -- a browser app on another origin ---------------------------------------------------------------------
CALLBACK_PAGE = """<!doctype html><html><body><pre id="out">working</pre><script>
(async () => {
  const params = new URLSearchParams(location.search);
  const out = {iss: params.get("iss")};
  const token = await fetch(%(token)s, {method: "POST", body: new URLSearchParams({
    grant_type: "authorization_code", code: params.get("code"), client_id: %(client)s,
    redirect_uri: %(redirect)s, code_verifier: %(verifier)s})});
  out.token = await token.json();
  const info = await fetch(%(tokeninfo)s, {headers: {Authorization: "Bearer " + out.token.access_token}});
  out.info = await info.json();
  document.getElementById("out").textContent = JSON.stringify(out);
})().catch(e => { document.getElementById("out").textContent = JSON.stringify({failed: String(e)}); });
</script></body></html>"""


class SpaServer:
    """The app's own origin (localhost, another port): serves the callback page that calls the server."""

    def __init__(self) -> None:
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.page = b""
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                body = app.page if self.path.startswith("/callback") else b"<html></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def test_a_page_on_another_origin_runs_code_and_pkce_with_fetch_in_chromium(local_stack, meta, store):
    from playwright.sync_api import sync_playwright

    from oauth_core.hashing import hash_password
    from oauth_core.storage import clients, users

    spa = SpaServer()
    try:
        client_id, username = f"spa-{secrets.token_hex(4)}", f"user-{secrets.token_hex(4)}"
        redirect = f"{spa.origin}/callback"
        clients.create(clients.Client(client_id=client_id, name="Browser App", redirect_uris=(redirect,),
                                      grant_types=frozenset({"authorization_code", "refresh_token"}),
                                      scopes=frozenset({"profile"}), web_origins=(spa.origin,),
                                      created_at=int(time.time())))
        users.create(users.User(username, hash_password("browser password"), created_at=int(time.time())))
        verifier, challenge = pkce_pair()
        spa.page = (CALLBACK_PAGE % {k: json.dumps(v) for k, v in {
            "token": meta["token_endpoint"], "tokeninfo": f"{local_stack.url}/oauth/tokeninfo", "client": client_id,
            "redirect": redirect, "verifier": verifier}.items()}).encode()
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect,
                           "scope": "profile", "code_challenge": challenge, "code_challenge_method": "S256"})
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{meta['authorization_endpoint']}?{query}")
            sign_in(page, username)
            page.click("button:has-text('Approve')")
            page.wait_for_url(f"{redirect}*")
            page.wait_for_function("document.getElementById('out').textContent !== 'working'")
            result = json.loads(page.inner_text("#out"))
            browser.close()
        assert "failed" not in result, result
        assert result["iss"] == meta["issuer"]
        assert result["token"]["token_type"] == "Bearer" and result["token"]["scope"] == "profile"
        assert result["info"]["user_id"] == username and result["info"]["audience"] == client_id
    finally:
        spa.httpd.shutdown()


def test_head_and_a_wrong_method_get_a_json_404_and_options_a_preflight(local_stack, meta):
    """Wrong method or HEAD: the gateway's MISSING_AUTHENTICATION_TOKEN, as template.yaml words it (issue 12);
    OPTIONS is now a route of its own (the CORS preflight)."""
    for r in (requests.head(meta["token_endpoint"], timeout=10), requests.put(meta["token_endpoint"], timeout=10),
              requests.post(f"{local_stack.url}{WELL_KNOWN}", timeout=10)):
        assert r.status_code == 404 and r.headers["Content-Type"] == "application/json"
    preflight = requests.options(meta["introspection_endpoint"], timeout=10, headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
