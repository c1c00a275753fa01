"""The ACM certificate an HTTPS listener needs: from ``-c certificate_arn``, else asked for."""

from __future__ import annotations

from aws_cdk import CfnParameter, Stack

CERTIFICATE_ARN_CONTEXT_KEY = "certificate_arn"


def certificate_arn_for(stack: Stack, *, https_only: bool) -> str | None:
    """``-c certificate_arn``; without it, a required ``CertificateArn`` parameter when the
    profile serves HTTPS only, else None (HTTP only: the sandbox)."""
    certificate_arn = stack.node.try_get_context(CERTIFICATE_ARN_CONTEXT_KEY)
    if certificate_arn is None and https_only:
        certificate_arn = certificate_parameter(stack).value_as_string
    return certificate_arn


def certificate_parameter(stack: Stack) -> CfnParameter:
    """A required parameter: `cdk synth` works with no AWS resources, `cdk deploy` without a
    certificate fails before CloudFormation creates anything."""
    return CfnParameter(
        stack,
        "CertificateArn",
        type="String",
        description="ACM certificate (in this stack's region) for the HTTPS listener; "
        f"or synthesize with -c {CERTIFICATE_ARN_CONTEXT_KEY}=<arn>",
        allowed_pattern=r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}",
        constraint_description="an ACM certificate ARN, "
        "arn:aws:acm:<region>:<account>:certificate/<uuid>",
    )
