"""MyWordPress.com [004:2429-2430, 004:814-885]: an Auto Scaling group across AZs behind a load
balancer, every instance mounting one encrypted EFS file system, and Aurora Serverless v2.

EBS is one instance's disk in one AZ; EFS is NFS that every instance in every AZ mounts at once,
so an upload one instance takes is on all of them. WordPress itself needs PHP and packages from
the internet; the instances serve a small shared-files page instead, which shows the same files
whichever instance answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Environment, RemovalPolicy, Stack
from constructs import Construct

from constructs_lib.relational_database import RelationalDatabase
from constructs_lib.shared_file_system import SharedFileSystem
from constructs_lib.web_tier import WebTier
from stacks import names
from stacks.certificate import certificate_arn_for
from stacks.classic_apps.user_data import SHARED_FILES_UID, shared_files_user_data
from stacks.database_outputs import add_database_client_outputs
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network

MOUNT_POINT = "/mnt/shared"


@dataclass(frozen=True)
class MyWordPressSettings:
    """What MyWordPress changes per profile."""

    instance_type: str
    min_capacity: int
    max_capacity: int
    # Aurora MySQL Serverless v2: its ACU range, and a reader in another AZ (Multi-AZ).
    database_min_acu: float
    database_max_acu: float
    database_multi_az: bool
    # Days before a file not read moves to EFS Infrequent Access.
    ia_after_days: int
    https_only: bool
    access_logs: bool
    # What deleting the stack does to the database (and a session cache): a final snapshot in
    # production (a retained cluster would keep billing its instances), nothing in the sandbox.
    database_removal_policy: RemovalPolicy


# Sandbox: two instances (one per AZ, so the sharing shows), the database pausing at 0 ACU,
# files to IA after 7 days. Production: three AZs, a reader, IA after 30 days, HTTPS only.
SETTINGS = {
    "sandbox": MyWordPressSettings(
        "t4g.nano", 2, 4, 0, 2, False, 7, False, False, RemovalPolicy.DESTROY
    ),
    "production": MyWordPressSettings(
        "t4g.small", 3, 9, 0.5, 8, True, 30, True, True, RemovalPolicy.SNAPSHOT
    ),
}


class MyWordPressStack(Stack):
    """ALB + ASG + EFS + Aurora Serverless v2, in its own network or a shared one.

    :param network: a network to join (``-c network=shared``). Default: None (its own VPC, no
        NAT: the instances install amazon-efs-utils through the S3 gateway endpoint).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        s = self.settings = profile.pick(SETTINGS, "my-word-press")
        self.network = network or NetworkAttachment.of(
            # the data tier's group admits Aurora MySQL's port from the application tier
            profile_network(
                self, profile, nat_type="none", nat_gateways=0, bastion=False, db_port=3306
            )
        )
        self.network.join(self)
        self.files = SharedFileSystem(
            self,
            "Files",
            vpc=self.network.vpc,
            subnets=self.network.data_subnets,
            transition_to_ia_days=s.ia_after_days,
            # The page's own user owns what it writes through the access point.
            posix_uid=SHARED_FILES_UID,
            posix_gid=SHARED_FILES_UID,
            # AWS Backup's recovery points would outlive a sandbox's `cdk destroy`.
            automatic_backups=profile.is_production,
            removal_policy=profile.removal_policy,
        )
        self.web = WebTier(
            self,
            "Web",
            vpc=self.network.vpc,
            alb_subnets=self.network.public_subnets,
            instance_subnets=self.network.app_subnets,
            instance_security_groups=[self.network.app_security_group],
            instance_type=s.instance_type,
            min_capacity=s.min_capacity,
            max_capacity=s.max_capacity,
            deregistration_delay_seconds=30,
            certificate_arn=certificate_arn_for(self, https_only=s.https_only),
            access_logs=s.access_logs,
            deletion_protection=profile.deletion_protection,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
            user_data=shared_files_user_data(
                mount_commands=self.files.mount_commands(MOUNT_POINT), mount_point=MOUNT_POINT
            ),
        )
        self.files.connections.allow_default_port_from(self.web.connections)
        self.files.grant_client(self.web.auto_scaling_group.role)
        # Instances boot only once their AZ's mount target answers.
        self.web.auto_scaling_group.node.add_dependency(self.files.mount_targets_available)
        self.database = RelationalDatabase(
            self,
            "Database",
            vpc=self.network.vpc,
            subnets=self.network.data_subnets,
            engine="aurora-mysql",
            serverless_v2=True,
            min_capacity=s.database_min_acu,
            max_capacity=s.database_max_acu,
            multi_az=s.database_multi_az,
            database_name="wordpress",
            allow_from=[self.web.connections],
            log_retention=profile.log_retention,
            deletion_protection=profile.deletion_protection,
            removal_policy=s.database_removal_policy,
        )
        self.database.secret.grant_read(self.web.auto_scaling_group.role)
        self._add_outputs()

    def _add_outputs(self) -> None:
        CfnOutput(
            self,
            "Url",
            description="Reload: another instance answers, the same files are listed",
            value=self.web.url,
        )
        CfnOutput(self, "FileSystemId", value=self.files.file_system.file_system_id)
        CfnOutput(self, "DatabaseEndpoint", value=self.database.endpoint_address)
        CfnOutput(self, "DatabaseSecretArn", value=self.database.secret.secret_arn)
        add_database_client_outputs(self, self.database, self.web)
        CfnOutput(
            self,
            "AsgName",
            value=self.web.auto_scaling_group.auto_scaling_group_name,
            description="Terminate an instance: its replacement mounts the same files",
        )


def add_my_word_press_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str = "",
    network_for: Callable[[str | None], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    stack = MyWordPressStack(
        scope,
        f"{prefix}{names.MY_WORD_PRESS}",
        profile=profile,
        network=network_for(None),
        env=env,
        description=f"MyWordPress.com: ALB + ASG + EFS + Aurora Serverless v2 "
        f"({profile.name} profile)",
    )
    return {stack.node.id: stack}
