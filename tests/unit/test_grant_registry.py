"""The grant registry is the one list of grant types: every grant module declares the contract, and the
token endpoint, the metadata document and client registration all read the same registry."""

import os
import pkgutil
import subprocess
import sys

import pytest

from oauth_core import authorization_request, grants, metadata, registration
from oauth_core.errors import UnsupportedGrantType


@pytest.mark.parametrize("grant_type", grants.GRANT_TYPES)
def test_every_token_grant_declares_the_contract_under_its_grant_type(grant_type):
    grant = grants.lookup(grant_type)
    assert isinstance(grant, grants.GrantType)
    assert grant.grant_type == grant_type
    assert grant.client_assertion is None or isinstance(grant.client_assertion, grants.ClientAssertion)


def test_every_grant_module_has_a_registry_line():
    modules = {m.name for m in pkgutil.iter_modules(grants.__path__)}
    assert modules == {r.module for r in grants.REGISTRY.values() if r.module}


@pytest.mark.parametrize("grant_type", ["implicit", "magic", ""])
def test_a_grant_type_without_a_token_request_is_unsupported_at_the_token_endpoint(grant_type):
    with pytest.raises(UnsupportedGrantType):
        grants.lookup(grant_type)


def test_a_grant_without_a_module_is_an_authorization_endpoint_flow():
    flows = set(authorization_request.RESPONSE_TYPES.values())
    assert flows <= set(grants.REGISTRABLE)
    assert {g for g, r in grants.REGISTRY.items() if r.module is None} <= flows


def test_metadata_and_registration_list_the_registry():
    assert metadata.document()["grant_types_supported"] == list(grants.REGISTRABLE)
    assert registration.grant_types(list(grants.REGISTRABLE)) == frozenset(grants.REGISTRABLE)
    with pytest.raises(registration.Invalid, match="unknown grant type"):
        registration.grant_types(["magic"])


def test_grants_without_an_assertion_load_no_jwt_library():
    """Cold start: a client_credentials (or code, password, refresh) request never imports jwt or cryptography."""
    plain = [g for g in grants.GRANT_TYPES if g != grants.JWT_BEARER]
    script = ("import sys\nfrom oauth_core import grants, token_endpoint\n"
              f"for g in {plain!r}:\n    grants.lookup(g)\n"
              "print(sorted(m for m in ('jwt', 'cryptography') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
