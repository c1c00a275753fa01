"""cfn-lint exceptions for resources aws-cdk-lib generates itself, scoped to those resources.

A global ignore in .cfnlintrc.yaml would also hide the same mistake in our own code; resource
Metadata (``cfn-lint: config: ignore_checks``) keeps the exception on the one resource it
concerns and visible in the template.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, IAspect
from constructs import IConstruct

# aws-cdk-lib's CustomResourceProvider (restrict-default-SG, S3 auto-delete, ...) gives its
# handler both a GetAtt on the role and an explicit DependsOn on it: W3005 "obsolete
# DependsOn". Harmless, and not ours to change.
_PROVIDER_HANDLER_CHECKS = {"W3005": "CustomResourceProvider/Handler"}


@jsii.implements(IAspect)
class CdkGeneratedLintExceptions:
    """Tag CDK-generated resources with the cfn-lint checks they are known to trip."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        checks = [
            check for check, path in _PROVIDER_HANDLER_CHECKS.items() if path in node.node.path
        ]
        if checks:
            node.add_metadata("cfn-lint", {"config": {"ignore_checks": checks}})
