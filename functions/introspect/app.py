"""POST /oauth/introspect: token introspection (RFC 7662)."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.introspection import introspect
from oauth_core.observability import logger


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, introspect, context=context)
