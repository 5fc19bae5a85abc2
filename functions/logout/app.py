"""GET and POST /oauth/logout: end the browser's sign-in session, after a confirmation page."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.logout_endpoint import error_page, logout
from oauth_core.observability import logger


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, logout, error_page, context=context)
