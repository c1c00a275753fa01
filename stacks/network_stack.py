"""Network: the three-tier VPC with bastion host and NAT, as a deployment unit."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Fn, Stack
from constructs import Construct

from constructs_lib.network import APPLICATION, DATA, PUBLIC
from stacks.profiles import Profile
from stacks.shared_network import profile_network, region_vpc_cidr

SSH_CIDR_CONTEXT_KEY = "ssh_cidr"


class NetworkStack(Stack):
    """Three-tier VPC: one NAT gateway in sandbox, one per AZ over three AZs in production.

    :param vpc_cidr: the VPC's range. Default: ``10.0.0.0/16``, the first region's
        (``region_vpc_cidr``); a shared network of another region gets that region's.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        vpc_cidr: str = region_vpc_cidr(0),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        ssh_cidr = self.node.try_get_context(SSH_CIDR_CONTEXT_KEY)
        self.network = profile_network(self, profile, ssh_cidr=ssh_cidr, vpc_cidr=vpc_cidr)
        self._add_outputs(ssh_cidr)

    def _add_outputs(self, ssh_cidr: str | None) -> None:
        network = self.network
        vpc = network.vpc
        CfnOutput(self, "VpcId", value=vpc.vpc_id)
        for name, group in (
            ("PublicSubnetIds", PUBLIC),
            ("AppSubnetIds", APPLICATION),
            ("DataSubnetIds", DATA),
        ):
            subnet_ids = vpc.select_subnets(subnet_group_name=group).subnet_ids
            CfnOutput(self, name, value=Fn.join(",", subnet_ids))
        CfnOutput(self, "AppSecurityGroupId", value=network.app_security_group.security_group_id)
        CfnOutput(self, "DataSecurityGroupId", value=network.data_security_group.security_group_id)
        if network.bastion is None:
            return
        bastion = network.bastion
        CfnOutput(self, "BastionInstanceId", value=bastion.instance_id)
        CfnOutput(
            self,
            "BastionSsmCommand",
            description="Open a shell on the bastion through SSM Session Manager (no open port)",
            value=Fn.join(
                "",
                ["aws ssm start-session --target ", bastion.instance_id, " --region ", self.region],
            ),
        )
        if ssh_cidr is not None:
            CfnOutput(
                self,
                "BastionSshCommand",
                description=f"SSH from {ssh_cidr} (add your key with EC2 Instance Connect first)",
                value=Fn.join("", ["ssh ec2-user@", bastion.instance_public_dns_name]),
            )
