import pytest


@pytest.fixture
def client(make_client):
    """``(client_id, secret)`` of a confidential client with client_credentials, password and refresh_token."""
    return make_client()


@pytest.fixture
def user_tokens(api, client, make_user):
    """The token response of a password grant for a fresh user."""
    username, password = make_user()
    return api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                    auth=client).json()
