"""Lambda REQUEST authorizer: other APIs attach it to accept this server's access tokens."""

from oauth_core.authorizer import decide
from oauth_core.observability import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    return decide(event, context)
