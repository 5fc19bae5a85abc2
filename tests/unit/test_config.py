"""Settings passed explicitly (oauthctl ``--stack``): every table the functions use is named as the template
names it, and installed settings replace the environment's only within their block."""

import os

from local import tables
from oauth_core import config


def test_a_stacks_settings_name_every_table_as_the_template_does(stack):
    """Sessions and attempts included: the table names come from the Settings fields, not from a list."""
    built = config.for_stack(stack.stack_name)
    named = tables.environment(stack)
    assert {name.lower() for name in named} == {f for f in vars(built) if f.endswith("_table")}
    for name, table in named.items():
        assert getattr(built, name.lower()) == table


def test_installed_settings_are_the_processs_within_the_block_and_the_environment_is_left_alone():
    before = dict(os.environ)
    with config.installed(lambda: config.for_stack("other", "eu-west-3")):
        assert config.settings().sessions_table == "other-sessions"
        assert config.settings().attempts_table == "other-attempts"
        assert config.settings().region == "eu-west-3"
    assert config.settings() == config.from_environment()
    assert config.settings().region == ""
    assert dict(os.environ) == before


def test_a_region_installed_for_a_while_leaves_no_dynamodb_client_behind(monkeypatch):
    """oauthctl's --region is passed to the DynamoDB client, never written to the environment: once the
    installed settings end, the next client is the environment's region again."""
    from oauth_core.storage import dynamo

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    dynamo.forget_clients()
    config.settings.cache_clear()
    try:
        with config.installed(lambda: config.for_stack("other", "eu-west-3")):
            assert dynamo.client().meta.region_name == "eu-west-3"
        assert dynamo.client().meta.region_name == "us-east-1"
    finally:
        dynamo.forget_clients()
