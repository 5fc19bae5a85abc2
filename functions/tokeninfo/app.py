"""GET /oauth/tokeninfo: who and what an access token is for."""

from aws_lambda_powertools.logging import correlation_paths

from oauth_core.apigateway import serve
from oauth_core.observability import logger
from oauth_core.tokeninfo import token_info


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event, context):
    return serve(event, token_info, context=context)
