"""GET /.well-known/oauth-authorization-server: authorization server metadata (RFC 8414)."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.metadata import serve_metadata
from oauth_core.observability import logger


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, serve_metadata, context=context)
