"""POST /oauth/token: the token endpoint (RFC 6749 §3.2)."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.observability import logger
from oauth_core.token_endpoint import issue_token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, issue_token, context=context)
