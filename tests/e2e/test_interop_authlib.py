"""Interop: Authlib's OAuth 2.0 client (a library we did not write) against the local stack."""

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.e2e.helpers import sign_in_and_approve


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_credentials(local_stack, method):
    session = OAuth2Session(local_stack.client_id, local_stack.client_secret, token_endpoint_auth_method=method)
    token = session.fetch_token(f"{local_stack.url}/oauth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert "expires_at" in token  # Authlib computed it from our integer expires_in


def test_authlib_password_grant_refresh_and_revoke(local_stack):
    session = OAuth2Session(local_stack.client_id, local_stack.client_secret)
    token = session.fetch_token(f"{local_stack.url}/oauth/token", username="admin", password="changeme")
    assert token["refresh_token"]
    refreshed = session.refresh_token(f"{local_stack.url}/oauth/token", refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    revoke = session.revoke_token(f"{local_stack.url}/oauth/revoke", refreshed["refresh_token"],
                                  token_type_hint="refresh_token")
    assert revoke.status_code == 200
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": refreshed["access_token"]},
                        timeout=10)
    assert info.status_code == 400


def test_authlib_surfaces_our_rfc_errors(local_stack):
    from authlib.integrations.base_client import OAuthError

    session = OAuth2Session(local_stack.client_id, local_stack.client_secret)
    with pytest.raises(OAuthError) as info:
        session.fetch_token(f"{local_stack.url}/oauth/token", username="admin", password="wrong")
    assert info.value.error == "invalid_grant"


def test_authlib_authorization_code_flow_with_pkce(local_stack):
    from authlib.common.security import generate_token

    redirect_uri = "https://localhost/oauth_callback"
    session = OAuth2Session(local_stack.client_id, local_stack.client_secret, redirect_uri=redirect_uri,
                            scope="https://localhost:8090/auth/userinfo.email", code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = session.create_authorization_url(f"{local_stack.url}/oauth/authorize", code_verifier=verifier)
    location = sign_in_and_approve(url).location
    assert location.startswith(redirect_uri + "?") and f"state={state}" in location
    # Authlib checks the state, sends the code, redirect_uri and verifier, and parses our answer.
    token = session.fetch_token(f"{local_stack.url}/oauth/token", authorization_response=location,
                                code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    assert token["scope"] == "https://localhost:8090/auth/userinfo.email"
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": token["access_token"]},
                        timeout=10).json()
    assert info["user_id"] == "admin"

