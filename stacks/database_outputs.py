"""The outputs a database's clients need beside its endpoint: shared by the classic stacks."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack

from constructs_lib.relational_database import RelationalDatabase
from constructs_lib.web_tier import WebTier


def add_database_client_outputs(stack: Stack, database: RelationalDatabase, web: WebTier) -> None:
    """The cluster (or instance) identifier, the port and the group that reaches it: what the
    deploy proof's database invariant reads, and what a user connecting by hand looks up."""
    if database.cluster is not None:
        CfnOutput(stack, "ClusterIdentifier", value=database.cluster.cluster_identifier)
    elif database.instance is not None:
        CfnOutput(stack, "InstanceIdentifier", value=database.instance.instance_identifier)
    CfnOutput(stack, "Port", value=str(database.port))
    CfnOutput(
        stack,
        "AppSecurityGroupId",
        description="The instances' group: the database admits its clients from it",
        value=web.instance_security_group.security_group_id,
    )
