"""oauthctl: manage the server's clients, users, tokens and scope descriptions in its DynamoDB tables.

Run through ``scripts/oauthctl``. Exit codes: 0 done, 1 not found / refused / invalid, 2 usage.
Secrets are printed once (create, rotate-secret) and stored only as hashes. Every change is a conditional
write of the record as read: a change someone else made meanwhile is never overwritten (re-read, re-applied).
The tables and region of the stack are passed to the layer explicitly (``config.installed``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from oauth_core import audit, config, registration
from oauth_core.storage import clients, users

from . import client_commands, scope_commands, token_commands, transfer, user_commands
from .output import Refused, emit


def _audit(args: argparse.Namespace, result: Any) -> None:
    """An ``admin`` security event (on stderr) for each change: who ran what on which client or user."""
    if args.cmd in ("list", "show", "authorizations"):
        return
    target = result if isinstance(result, dict) else {}
    try:
        actor = getpass.getuser()
    except (OSError, KeyError):
        actor = "unknown"
    audit.event("admin", "success", user=target.get("username"), client_id=target.get("client_id"),
                reason=f"oauthctl {args.group} {args.cmd}".rstrip(), actor=actor, stack=args.stack)


def global_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options every command takes, before or after the command's own words (``main`` reads them first)."""
    p.add_argument("--stack", default=os.environ.get("OAUTHCTL_STACK", "oauth-server"),
                   help="stack name: tables are {stack}-clients, ... (default $OAUTHCTL_STACK or oauth-server)")
    p.add_argument("--region", help="AWS region (default: the usual AWS environment)")
    p.add_argument("--output", choices=("json", "table"), default="json",
                   help="json (default, for scripts) or table (for people: 100 columns, ISO times)")
    return p


# One example per command, shown by its --help (tests/cli checks that every command has one).
EXAMPLES = {
    "clients create": "oauthctl clients create --client-id web --grant-type authorization_code \\\n"
                      "      --redirect-uri https://app.example/cb --scope read",
    "clients list": "oauthctl clients list --output table",
    "clients show": "oauthctl clients show web",
    "clients update": "oauthctl clients update web --no-tokeninfo-query --access-token-ttl 900",
    "clients rotate-secret": "oauthctl clients rotate-secret web --keep-old-for 86400   # both valid for a day",
    "clients disable": "oauthctl clients disable web   # its tokens stop working within ClientCacheSeconds",
    "clients enable": "oauthctl clients enable web",
    "clients delete": "oauthctl clients delete web --yes",
    "users create": "oauthctl users create --username alice   # asks for the password (no echo)\n"
                    "  printf '%s\\n' \"$PW\" | oauthctl users create --username alice --password-stdin",
    "users list": "oauthctl users list --output table",
    "users show": "oauthctl users show alice",
    "users set-password": "oauthctl users set-password alice   # signs alice out everywhere",
    "users disable": "oauthctl users disable alice",
    "users enable": "oauthctl users enable alice",
    "users delete": "oauthctl users delete alice --yes",
    "users authorizations": "oauthctl users authorizations alice --output table",
    "users revoke-authorization": "oauthctl users revoke-authorization alice web   # asks for consent again",
    "scopes create": "oauthctl scopes create --scope orders:read --description \"Read your orders\"",
    "scopes list": "oauthctl scopes list --output table",
    "scopes update": "oauthctl scopes update --scope orders:read --description \"See your orders\"",
    "scopes delete": "oauthctl scopes delete --scope orders:read   # the consent page shows the raw name",
    "tokens list": "oauthctl tokens list --username alice --output table",
    "tokens revoke": "oauthctl tokens revoke --client-id web",
    "export": "oauthctl export --stack old-stack > backup.jsonl",
    "import": "oauthctl import backup.jsonl --stack new-stack --dry-run",
}


def _with_examples(p: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> None:
    """Each command's --help ends with its example and the global options (taken anywhere)."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _with_examples(sub, (*words, name))
            return
    if words:
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.epilog = (f"example:\n  {EXAMPLES.get(' '.join(words), '(none yet)')}\n\n"
                    "global options, anywhere on the line: --stack NAME, --region REGION, --output json|table")


def parser() -> argparse.ArgumentParser:
    root = global_options(argparse.ArgumentParser(prog="oauthctl", description=(__doc__ or "").split("\n\n")[0]))
    groups = root.add_subparsers(dest="group", required=True)
    for group in (client_commands, user_commands, scope_commands, token_commands, transfer):
        group.add_commands(groups)
    _with_examples(root)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Global options anywhere: taken out first (exact names only), the rest parsed as the command.
    options, rest = global_options(argparse.ArgumentParser(add_help=False, allow_abbrev=False)).parse_known_args(argv)
    args = parser().parse_args(rest)
    args.stack, args.region, args.output = options.stack, options.region, options.output
    # botocore reads AWS_DEFAULT_REGION only: an AWS_REGION alone counts too, as the region passed explicitly.
    region = args.region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or ""
    with config.installed(lambda: config.for_stack(args.stack, region)):
        return _run(args, region)


def _run(args: argparse.Namespace, region: str) -> int:
    """The command, its audit event and its output; what went wrong as one line on stderr and exit 1."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    from oauth_core import observability
    from oauth_core.errors import TemporarilyUnavailable
    from oauth_core.storage.failures import StorageRejected

    observability.logger.setLevel("ERROR")  # the storage layer's warnings: this command says what went wrong
    try:
        result = args.run(args)
        _audit(args, result)
        if result is not None:
            emit(result, args.output)
    except (Refused, registration.Invalid, clients.NotFound, users.NotFound) as exc:
        message = str(exc) if not isinstance(exc, (clients.NotFound, users.NotFound)) else f"no such item: {exc}"
        print(f"oauthctl: {message}", file=sys.stderr)
        return 1
    except (NoCredentialsError, PartialCredentialsError):
        print("oauthctl: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
              "(for the local stack: the exports `make run` prints)", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError, TemporarilyUnavailable, StorageRejected) as exc:
        print(f"oauthctl: {_aws_problem(exc, args.stack, region)}", file=sys.stderr)
        return 1
    return 0


def _aws_problem(exc: Exception, stack: str, region: str) -> str:
    """What went wrong talking to DynamoDB, in words that say what to check."""
    from botocore.exceptions import ClientError

    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") \
        or f"DynamoDB in region {region or '(none set)'}"
    cause = getattr(exc.__cause__, "code", "") or ""
    if cause.endswith(("ConnectionError", "ConnectTimeoutError", "ReadTimeoutError")):
        return (f"cannot reach {endpoint} ({cause}): is the local stack (make run) or the network up, "
                "and AWS_ENDPOINT_URL_DYNAMODB / --region right?")
    if cause:
        return f"DynamoDB stayed unavailable ({cause}) after retries: try again in a minute"
    detail = exc.response["Error"].get("Message", "") if isinstance(exc, ClientError) else str(exc)
    if "ResourceNotFoundException" in detail or "resource not found" in detail.lower():
        return (f"the tables of stack {stack!r} ({stack}-clients, ...) do not exist at {endpoint}: check --stack "
                "(or $OAUTHCTL_STACK) and --region")
    if "UnrecognizedClient" in detail or "security token" in detail.lower() or "AccessDenied" in detail:
        return f"AWS refused these credentials: {detail}"
    return f"AWS refused the request: {detail or type(exc).__name__} (stack {stack!r})"
