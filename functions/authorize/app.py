"""GET and POST /oauth/authorize: login and consent pages, then the redirect back to the client."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.authorize_endpoint import authorize, error_page
from oauth_core.observability import logger


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, authorize, error_page, context=context)
