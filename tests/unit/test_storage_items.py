"""The stored shape of each model, pinned: deployed tables keep their items and exports their format,
whatever the Python names. Round trips both ways: item -> model -> the same item, model -> item -> model."""

from __future__ import annotations

from decimal import Decimal

from oauth_core.storage import clients, codes, consents, grants, scope_descriptions, sessions, tokens, users

CLIENT_ITEM = {
    "client_id": "app", "secret_hash": "h1", "name": "App", "grant_types": ["authorization_code", "refresh_token"],
    "redirect_uris": ["https://b.example/cb", "https://a.example/cb"], "post_logout_redirect_uris": ["https://a/"],
    "scopes": ["read", "write"], "access_token_ttl": 300, "refresh_token_ttl": 3600, "certificates": ["PEM"],
    "pkce_plain": True, "tokeninfo_query": False, "jwt_subjects": ["alice", "bob"], "jwt_any_subject": True,
    "require_pkce": True, "require_jti": True, "grant_max_lifetime": 86400, "refresh_reuse_window": 5,
    "web_origins": ["https://a.example"], "introspect_clients": ["x", "y"], "introspect_any": True,
    "disabled": True, "created_at": 1700000000, "tokens_valid_after": 1700000000123, "old_secret_hash": "h0",
    "old_secret_expires_at": 1700000600, "revision": 7,
}
# What a client with every default stores: None values are in to_item (marshal leaves them out).
CLIENT_DEFAULTS = {
    "client_id": "bare", "secret_hash": None, "name": "", "grant_types": [], "redirect_uris": [],
    "post_logout_redirect_uris": [], "scopes": [], "access_token_ttl": None, "refresh_token_ttl": None,
    "certificates": [], "pkce_plain": False, "tokeninfo_query": True, "jwt_subjects": [], "jwt_any_subject": False,
    "require_pkce": False, "require_jti": False, "grant_max_lifetime": None, "refresh_reuse_window": None,
    "web_origins": [], "introspect_clients": [], "introspect_any": False, "disabled": False, "created_at": 0,
    "tokens_valid_after": 0, "old_secret_hash": None, "old_secret_expires_at": None, "revision": 0,
}


def decimals(item: dict) -> dict:
    """An item as boto3 unmarshals it: numbers as Decimal."""
    return {k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in item.items()}


def test_client_item_round_trips_both_ways():
    client = clients.from_item(decimals(CLIENT_ITEM))
    assert client.to_item() == CLIENT_ITEM
    assert clients.from_item(client.to_item()) == client
    assert client.grant_types == frozenset({"authorization_code", "refresh_token"})
    assert client.redirect_uris == ("https://b.example/cb", "https://a.example/cb")
    assert type(client.access_token_ttl) is int and type(client.revision) is int


def test_client_sets_are_stored_sorted_and_defaults_as_before():
    client = clients.Client("bare", jwt_subjects=frozenset({"zed", "amy", "kim"}))
    assert client.to_item() == {**CLIENT_DEFAULTS, "jwt_subjects": ["amy", "kim", "zed"]}
    assert clients.from_item({"client_id": "bare"}) == clients.Client("bare")


def test_user_item_round_trips_both_ways():
    item = {"username": "alice", "password_hash": "$argon2id$x", "disabled": True, "created_at": 1700000000,
            "tokens_valid_after": 1700000000123, "revision": 3}
    user = users.from_item(decimals(item))
    assert user.to_item() == item
    assert users.from_item({"username": "bob"}).to_item() == {
        "username": "bob", "password_hash": "", "disabled": False, "created_at": 0, "tokens_valid_after": 0,
        "revision": 0}


def test_token_item_leaves_rotation_to_updates():
    item = {"token_hash": "t", "kind": "refresh", "client_id": "app", "scope": "read", "issued_at": 1700000000123,
            "expires_at": 1700003600, "username": "alice", "grant_id": "g", "rotated_by": "req"}
    stored = {**item, "rotated_at": 1700000000999, "successor": "s", "successor_access": "a"}
    token = tokens.from_item(decimals(stored))
    assert token.to_item() == item
    assert (token.successor, token.successor_access) == ("s", "a")
    assert tokens.from_item(decimals(item)).to_item() == item
    bare = tokens.from_item({"token_hash": "t"})
    assert bare.to_item() == {"token_hash": "t", "kind": "", "client_id": "", "scope": "", "issued_at": 0,
                              "expires_at": 0, "username": None, "grant_id": None, "rotated_by": None}


def test_grant_item_and_a_missing_status_reads_as_revoked():
    item = {"grant_id": "g", "client_id": "app", "scope": "read", "expires_at": 1700003600, "username": "alice",
            "status": "active", "grant_type": "authorization_code", "created_at": 1700000000}
    assert grants.from_item(decimals(item)).to_item() == item
    bare = grants.from_item({"grant_id": "g"})
    assert not bare.active
    assert bare.to_item() == {"grant_id": "g", "client_id": "", "scope": "", "expires_at": 0, "username": None,
                              "status": "revoked", "grant_type": "", "created_at": 0}
    assert grants.Grant("g", "app", "", 5).to_item()["status"] == "active"


def test_authorization_code_item_has_its_kind_and_no_redemption():
    item = {"code_hash": "c", "kind": "code", "client_id": "app", "username": "alice", "scope": "read",
            "redirect_uri": "", "code_challenge": "x", "code_challenge_method": "S256",
            "issued_at": 1700000000123, "expires_at": 1700000060}
    code = codes.from_item(decimals({**item, "consumed_by": "req", "grant_id": "g"}))
    assert code.to_item() == item
    assert (code.consumed_by, code.grant_id) == ("req", "g")
    assert codes.from_item({**item, "kind": "jti"}) is None
    assert codes.from_item(None) is None


def test_sessions_items():
    flow = {"session_hash": "s", "browser_hash": "b", "request": {"client_id": "app"}, "stage": "consent",
            "username": "alice", "expires_at": 1700000600}
    session = sessions.from_item(decimals(flow))
    assert session.to_item() == flow
    assert sessions.from_item({"session_hash": "s"}).to_item() == {
        "session_hash": "s", "browser_hash": "", "request": {}, "stage": "", "username": None, "expires_at": 0}
    assert sessions.Session("s", "b").to_item()["stage"] == "login"
    browser = {"session_hash": "s", "kind": "browser", "username": "alice", "auth_time": 1700000000,
               "signed_in_ms": 1700000000123, "expires_at": 1700000600, "absolute_expiry": 1700086400}
    assert sessions.browser_from_item(decimals(browser), 1700000000).to_item() == browser
    assert sessions.browser_from_item(decimals(browser), 1700000600) is None
    assert sessions.browser_from_item({**browser, "kind": "flow"}, 0) is None


def test_consent_and_scope_description_items():
    consent = consents.from_item({"username": "alice", "client_id": "app", "scopes": {"write", "read"},
                                  "granted_at": Decimal(1700000000)})
    assert consent == consents.Consent("alice", "app", "read write", 1700000000)
    assert consents.from_item({"username": "alice", "client_id": "app"}) == consents.Consent("alice", "app", "")
    entry = scope_descriptions.ScopeDescription("read", "Read your data")
    assert entry.to_item() == {"scope": "read", "description": "Read your data"}
