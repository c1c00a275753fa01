"""What an architecture stack takes of a three-tier network it did not build itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib.network import ThreeTierNetwork
from stacks.profiles import Profile


def region_vpc_cidr(index: int) -> str:
    """The VPC range of a deployment's ``index``-th region: ``10.<index>.0.0/16``, 0 being its
    first (home) region. Each region gets its own range, so the regions' VPCs can later be
    peered or joined by a transit gateway without overlapping [002:903-924]."""
    if not 0 <= index <= 255:
        raise ValueError(f"region index {index} is outside 0-255: no 10.<index>.0.0/16 for it")
    return f"10.{index}.0.0/16"


def profile_network(scope: Construct, profile: Profile, **props: Any) -> ThreeTierNetwork:
    """The three-tier network every stack builds for a profile (id ``Network``); ``props`` add
    to or override the profile's."""
    options: dict[str, Any] = {
        "max_azs": profile.max_azs,
        "nat_gateways": profile.nat_gateways,
        "flow_log_retention": profile.log_retention,
        "removal_policy": profile.removal_policy,
    }
    return ThreeTierNetwork(scope, "Network", **{**options, **props})


@dataclass(frozen=True)
class NetworkAttachment:
    """A three-tier network's VPC, tiers and chained groups, from this stack or another.

    Passed across stacks, CDK turns each attribute into an export of the network's stack and
    an import here, and deploys the network first.
    """

    vpc: ec2.IVpc
    public_subnets: ec2.SubnetSelection
    app_subnets: ec2.SubnetSelection
    data_subnets: ec2.SubnetSelection
    app_security_group: ec2.ISecurityGroup
    data_security_group: ec2.ISecurityGroup
    bastion_security_group: ec2.ISecurityGroup | None
    bastion: ec2.BastionHostLinux | None
    db_port: int

    def join(self, stack: Stack) -> None:
        """Deploy ``stack`` after the network's stack, when that is another stack.

        CDK would infer the order from the references at synthesis; saying it now lets the
        composition see it (a lease on the network must outlast the stacks that join it).
        """
        owner = Stack.of(self.vpc)
        if owner is not stack:
            stack.add_stack_dependency(owner, "joins the shared network of this stack")

    @classmethod
    def of(cls, network: ThreeTierNetwork) -> NetworkAttachment:
        return cls(
            vpc=network.vpc,
            public_subnets=network.public_subnets,
            app_subnets=network.app_subnets,
            data_subnets=network.data_subnets,
            app_security_group=network.app_security_group,
            data_security_group=network.data_security_group,
            bastion_security_group=network.bastion_security_group,
            bastion=network.bastion,
            db_port=network.db_port,
        )
