"""ServerlessApi: API Gateway + Lambda + DynamoDB CRUD service, as a deployment unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.serverless_api import ServerlessApi
from stacks.profiles import Profile

AUTH_CONTEXT_KEY = "api_auth"


@dataclass(frozen=True)
class ServerlessApiSettings:
    """The stage per profile: requests per second, burst bucket, execution log level."""

    throttling_rate_limit: float
    throttling_burst_limit: int
    execution_log_level: str


# A sandbox is throttled low so a runaway client costs cents; production logs errors only.
SETTINGS = {
    "sandbox": ServerlessApiSettings(10, 20, "INFO"),
    "production": ServerlessApiSettings(100, 200, "ERROR"),
}


class ServerlessApiStack(Stack):
    """The items API: IAM-authorized by default, on-demand table, destroyable in sandbox."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        auth_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """:param auth_mode: ``iam`` / ``cognito``; None reads ``-c api_auth=...`` (iam)."""
        super().__init__(scope, construct_id, **kwargs)
        auth_mode = auth_mode or self.node.try_get_context(AUTH_CONTEXT_KEY) or "iam"
        stage = profile.pick(SETTINGS, "serverless-api")
        self.api = ServerlessApi(
            self,
            "ServerlessApi",
            auth_mode=auth_mode,
            throttling_rate_limit=stage.throttling_rate_limit,
            throttling_burst_limit=stage.throttling_burst_limit,
            execution_log_level=stage.execution_log_level,
            deletion_protection=profile.deletion_protection,
            log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        self._add_outputs()

    def _add_outputs(self) -> None:
        api = self.api
        CfnOutput(self, "ApiUrl", description="The stage URL", value=api.url)
        CfnOutput(
            self, "ItemsUrl", description="GET/POST here; /items/{id} for one", value=api.items_url
        )
        CfnOutput(self, "TableName", value=api.table.table_name)
        if api.user_pool is not None and api.user_pool_client is not None:
            CfnOutput(self, "UserPoolId", value=api.user_pool.user_pool_id)
            CfnOutput(self, "UserPoolClientId", value=api.user_pool_client.user_pool_client_id)
