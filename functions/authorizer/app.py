"""Lambda REQUEST authorizer: other APIs attach it to accept this server's access tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core.authorizer import decide
from oauth_core.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return decide(event, context)
