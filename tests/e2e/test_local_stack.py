"""The local stack over HTTP with raw requests: the flows of the README, as a user runs them."""

import requests

from tests.e2e.helpers import flow_of


def token(local_stack, **data):
    return requests.post(f"{local_stack.url}/oauth/token", data=data,
                         auth=(local_stack.client_id, local_stack.client_secret), timeout=10)


def test_banner_prints_urls_demo_client_user_and_exports(local_stack):
    assert f"POST  {local_stack.url}/oauth/token" in local_stack.banner
    assert "Demo user:   admin / changeme" in local_stack.banner
    assert local_stack.exports["AWS_ENDPOINT_URL_DYNAMODB"] == local_stack.dynamodb_url
    assert local_stack.exports["OAUTHCTL_STACK"] == "local"
    assert local_stack.client_id == "SampleConfidentialApp"


def test_client_credentials_tokeninfo_revoke_then_tokeninfo_400(local_stack):
    r = token(local_stack, grant_type="client_credentials")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    access = r.json()["access_token"]
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": access}, timeout=10)
    assert info.status_code == 200
    assert info.json()["audience"] == "SampleConfidentialApp"
    assert info.json()["scope"] == "https://localhost:8090/auth/userinfo.email"
    revoked = requests.post(f"{local_stack.url}/oauth/revoke", data={"token": access},
                            auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    assert revoked.status_code == 200
    after = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": access}, timeout=10)
    assert after.status_code == 400 and after.json()["error"] == "invalid_token"


def test_password_refresh_and_revoke_of_the_refresh_token(local_stack):
    first = token(local_stack, grant_type="password", username="admin", password="changeme").json()
    second = token(local_stack, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": second["access_token"]},
                        timeout=10).json()
    assert info["user_id"] == "admin"
    requests.post(f"{local_stack.url}/oauth/revoke", data={"token": second["refresh_token"]},
                  auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    for access in (first["access_token"], second["access_token"]):
        r = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": access}, timeout=10)
        assert r.status_code == 400


def test_urlencoded_and_xml_formats(local_stack):
    r = token(local_stack, grant_type="client_credentials", format="urlencoded")
    assert r.headers["Content-Type"] == "application/x-www-form-urlencoded" and "access_token=" in r.text
    r = token(local_stack, grant_type="client_credentials", format="xml")
    assert r.headers["Content-Type"].startswith("application/xml") and "<token_type>Bearer</token_type>" in r.text


def test_wrong_secret_is_401_with_basic_challenge_over_http(local_stack):
    r = requests.post(f"{local_stack.url}/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(local_stack.client_id, "wrong"), timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert r.headers["WWW-Authenticate"] == 'Basic realm="oauth"'


def test_non_utf8_body_is_invalid_request_not_a_5xx(local_stack):
    r = requests.post(f"{local_stack.url}/oauth/token", data=b"grant_type=\xff\xfe",
                      headers={"Content-Type": "application/x-www-form-urlencoded"},
                      auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_unknown_route_or_method_is_a_json_404_from_the_gateway_response(local_stack):
    """API Gateway's MISSING_AUTHENTICATION_TOKEN (a 403 by default), as template.yaml customizes it."""
    for r in (requests.get(f"{local_stack.url}/oauth/nowhere", timeout=10),
              requests.get(f"{local_stack.url}/oauth/token", timeout=10)):
        assert r.status_code == 404 and r.headers["Content-Type"] == "application/json"
        assert r.json()["error"] == "not_found" and r.headers["Cache-Control"] == "no-store"


def test_client_registered_through_oauth_core_storage_gets_tokens(local_stack, store):
    from oauth_core.hashing import digest, random_secret
    from oauth_core.storage import clients

    secret = random_secret()
    clients.create(clients.Client("e2e-client", digest(secret), grant_types=frozenset({"client_credentials"}),
                                  scopes=frozenset({"orders:read"})))
    r = requests.post(f"{local_stack.url}/oauth/token", data={"grant_type": "client_credentials"},
                      auth=("e2e-client", secret), timeout=10)
    assert r.status_code == 200 and r.json()["scope"] == "orders:read"


def test_the_banner_authorize_url_runs_the_readme_code_flow(local_stack):
    """README: open the printed URL, sign in as admin, approve, copy the code, exchange it with curl."""
    import re
    from urllib.parse import parse_qs, urlsplit

    url = re.search(r"^\s+(http://\S+/oauth/authorize\?\S+)$", local_stack.banner, re.M).group(1)
    browser = requests.Session()
    login = browser.get(url, timeout=10)
    assert login.status_code == 200 and "Sample Confidential App" in login.text
    flow = flow_of(login.text)
    back = consent = browser.post(url, data={"flow": flow, "username": "admin", "password": "changeme",
                                             "action": "login"}, allow_redirects=False, timeout=10)
    if consent.status_code != 303:  # 303: admin approved the demo client in an earlier test (remembered consent)
        assert "https://localhost:8090/auth/userinfo.email" in consent.text
        back = browser.post(url, data={"flow": flow, "action": "approve"}, allow_redirects=False, timeout=10)
    location = back.headers["Location"]
    assert location.startswith("https://localhost/oauth_callback?code=") and "state=1956901292" in location
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = requests.post(f"{local_stack.url}/oauth/token", auth=(local_stack.client_id, local_stack.client_secret),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": "https://localhost/oauth_callback"}, timeout=10)
    assert token.status_code == 200 and token.json()["refresh_token"]
