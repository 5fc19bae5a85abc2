"""POST /oauth/revoke: token revocation (RFC 7009, with the product's 401/403 answers)."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.observability import logger
from oauth_core.revocation import revoke_token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, revoke_token, context=context)
