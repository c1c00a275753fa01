"""Every architecture's stack, composed for one profile, with the cdk-nag gate on the app."""

from __future__ import annotations

import os

from aws_cdk import App, Aspects, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from stacks.aurora_global_stack import add_aurora_global_stacks
from stacks.lint_exceptions import CdkGeneratedLintExceptions
from stacks.network_stack import NetworkStack
from stacks.profiles import Profile, profile_from_context
from stacks.serverless_api_stack import ServerlessApiStack
from stacks.static_site_stack import StaticSiteStack
from stacks.web_tier_stack import WebTierStack

# The documentation placeholder account: synth needs no credentials and stays deterministic.
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


def default_environment() -> Environment:
    """The CLI's account and region when it provides them, else the placeholders."""
    return Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT", DEFAULT_ACCOUNT),
        region=os.environ.get("CDK_DEFAULT_REGION", DEFAULT_REGION),
    )


def add_stacks(app: App, *, env: Environment | None = None, nag: bool = True) -> dict[str, Stack]:
    """Add every architecture's stack to ``app`` for the profile its context chooses.

    With ``nag`` (the default, as in ``cdk synth``), cdk-nag's AwsSolutions pack runs as a
    validation plugin: an unacknowledged finding fails synthesis.
    """
    profile: Profile = profile_from_context(app.node)
    env = env or default_environment()
    stacks: dict[str, Stack] = {
        "Network": NetworkStack(
            app,
            "Network",
            profile=profile,
            env=env,
            description=f"Three-tier VPC with bastion host and NAT ({profile.name} profile)",
        ),
        "WebTier": WebTierStack(
            app,
            "WebTier",
            profile=profile,
            env=env,
            description=f"Web tier: ALB + Auto Scaling group in a three-tier VPC "
            f"({profile.name} profile)",
        ),
        "StaticSite": StaticSiteStack(
            app,
            "StaticSite",
            profile=profile,
            origin_access="oai",
            env=env,
            description=f"Static site: private S3 + CloudFront with an origin access identity "
            f"({profile.name} profile)",
        ),
        "StaticSiteOac": StaticSiteStack(
            app,
            "StaticSiteOac",
            profile=profile,
            origin_access="oac",
            env=env,
            description=f"Static site: private S3 + CloudFront with an origin access control "
            f"({profile.name} profile)",
        ),
        "ServerlessApi": ServerlessApiStack(
            app,
            "ServerlessApi",
            profile=profile,
            env=env,
            description=f"Serverless CRUD API: API Gateway + Lambda + DynamoDB "
            f"({profile.name} profile)",
        ),
    }
    # One stack per region: AuroraGlobalPrimary and AuroraGlobalSecondary-<region>.
    stacks.update(add_aurora_global_stacks(app, profile=profile, account=env.account))
    Aspects.of(app).add(CdkGeneratedLintExceptions())
    if nag:
        add_nag(app)
    return stacks


def add_nag(app: App) -> None:
    """Run cdk-nag's AwsSolutions pack on the whole app as a validation plugin."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
