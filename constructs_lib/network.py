"""Three-tier VPC: public, application and data subnets, NAT, bastion, chained security groups.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

The tiers follow the study notes: a public tier with a route to the internet gateway, an
application tier that reaches out only through NAT, and a data tier with no route to the
internet at all. Security groups chain bastion -> application -> data.

Options (all off by default): ``network_acls`` adds a stateless network ACL per tier with its
return rules, ``blocked_cidrs`` denies ranges at the public tier, ``app_subnet_hosts`` sizes the
application subnets from a host count (AWS keeps 5 addresses of each subnet) and
``bastion_high_availability`` runs the bastion as an Auto Scaling group of one across the AZs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    Annotations,
    Aspects,
    CfnResource,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

NatType = Literal["gateway", "instance", "none"]

PUBLIC = "Public"
APPLICATION = "Application"
DATA = "Data"

_PRIVATE_RANGES = tuple(
    ipaddress.ip_network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_MAX_AZS = 6
# The widest range the bastion accepts SSH from: an office's or a provider's block at most, never
# a slice of the internet (0.0.0.0/1 is half of IPv4, 2000::/3 all of global IPv6).
SSH_WIDEST_IPV4 = 16
SSH_WIDEST_IPV6 = 48
_NAT_TYPES = ("gateway", "instance", "none")
_DEFAULT_APP_SUBNET_MASK = 20

# AWS keeps 5 addresses of every subnet: the network address, the VPC router (+1), the DNS
# server (+2), one for future use (+3) and the broadcast address (notes 002:940-948,
# 004:7047-7054). A subnet is /16 to /28.
RESERVED_PER_SUBNET = 5
SUBNET_MASKS = (16, 28)
# Network ACLs: rules numbered in steps of 100, leaving room to insert one later, and the
# ephemeral ports a stateless filter opens for answers. Clients pick them from different ranges
# (Linux 32768-60999, Windows 49152-65535); NAT gateways and load balancers connect from
# 1024-65535, so that is the range every return rule opens (notes 004:7237-7311).
NACL_RULE_STEP = 100
EPHEMERAL_PORTS = (1024, 65535)
# A network ACL holds 20 rules per direction by default; the public tier's allows take 4.
MAX_BLOCKED_CIDRS = 16

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_instance_type, _check_source_cidr, _peer,
# pieces: _encrypted_root_volume, _managed_log_group, _SSM_SESSION_ACTIONS,
# pieces: _acknowledge_ssm_session, _allow_ssm_session, _except_cdk_handlers,
# pieces: _own_cdk_handler_logs, _al2023_image


def _is_token(value: object) -> bool:
    """An unresolved value (a CfnParameter, an import): CloudFormation checks it, not us."""
    return not isinstance(value, bool) and Token.is_unresolved(value)


def _check_int(name: str, value: object, low: int, high: int | None = None, unit: str = "") -> None:
    """A whole number from ``low`` to ``high`` (or more); tokens pass; bools and floats fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}; allowed: a whole number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


def _check_flag(name: str, value: object) -> None:
    """True or False, nothing else (no 1, no "yes")."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}; allowed: True or False")


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _check_instance_type(name: str, value: object) -> None:
    """An EC2 instance type written as AWS writes it (``t4g.nano``, ``m7i-flex.2xlarge``)."""
    _check_text(
        name,
        value,
        r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge"
        r"|metal(-[0-9]+xl)?)",
        "an EC2 instance type such as 't4g.micro' or 'm7i.2xlarge' (family.size)",
    )


def _parse_cidr(
    name: str, cidr: object, example: str = "203.0.113.0/24"
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """One CIDR block written with its prefix length, IPv4 or IPv6, at a network address."""
    if not isinstance(cidr, str) or "/" not in cidr:
        raise ValueError(
            f"{name} is {cidr!r}; allowed: one CIDR block with its prefix length, "
            f"such as {example!r}"
        )
    try:
        return ipaddress.ip_network(cidr, strict=True)
    except ValueError as error:
        raise ValueError(
            f"{name} is {cidr!r} ({error}); allowed: one CIDR block at a network address, "
            f"such as {example!r}"
        ) from None


def _peer(cidr: str) -> ec2.IPeer:
    """The security-group peer of a CIDR block that has been checked already."""
    return ec2.Peer.ipv6(cidr) if ":" in cidr else ec2.Peer.ipv4(cidr)


def _check_source_cidr(
    name: str, cidr: object, widest_ipv4: int, widest_ipv6: int, example: str
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A range that may reach a port: a CIDR block no wider than /widest for its family.

    IPv4-mapped IPv6 (``::ffff:a.b.c.d``) is refused: write the IPv4 block itself.
    """
    network = _parse_cidr(name, cidr, example)
    if network.version == 6 and (
        network.network_address.ipv4_mapped is not None
        or network.subnet_of(ipaddress.ip_network("::ffff:0:0/96"))
    ):
        raise ValueError(
            f"{name} is {cidr!r}, an IPv4-mapped IPv6 range; allowed: the IPv4 block itself, "
            f"such as {example!r}"
        )
    widest = widest_ipv4 if network.version == 4 else widest_ipv6
    if network.prefixlen < widest:
        raise ValueError(
            f"{name} is {cidr!r}, {network.num_addresses:,} addresses; allowed: IPv4 /"
            f"{widest_ipv4} or narrower, IPv6 /{widest_ipv6} or narrower, such as {example!r}"
        )
    return network


def _al2023_image(instance_type: ec2.InstanceType) -> ec2.IMachineImage:
    """The latest Amazon Linux 2023 for ``instance_type``'s CPU: arm64 on Graviton, else x86_64.

    An image of the wrong architecture fails only at launch, after the deployment started.
    """
    cpu = (
        ec2.AmazonLinuxCpuType.ARM_64
        if instance_type.architecture == ec2.InstanceArchitecture.ARM_64
        else ec2.AmazonLinuxCpuType.X86_64
    )
    return ec2.MachineImage.latest_amazon_linux2023(cpu_type=cpu)


def _encrypted_root_volume(size_gib: int = 8, device_name: str = "/dev/xvda") -> ec2.BlockDevice:
    """The root volume every instance boots from: gp3, encrypted, deleted with the instance."""
    return ec2.BlockDevice(
        device_name=device_name,
        volume=ec2.BlockDeviceVolume.ebs(
            size_gib,
            encrypted=True,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            delete_on_termination=True,
        ),
    )


def _managed_log_group(
    scope: Construct,
    construct_id: str,
    *,
    retention: logs.RetentionDays,
    removal_policy: RemovalPolicy,
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group the stack owns: retention set, deleted or kept with the stack's data.

    Left to itself a service creates its group on first write, keeps it forever and leaves it
    behind after ``cdk destroy``.
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        retention=retention,
        removal_policy=removal_policy,
    )


# What SSM Session Manager's agent calls, as aws-cdk-lib's BastionHostLinux grants it: the same
# statement for every instance here, instead of the broader AmazonSSMManagedInstanceCore.
_SSM_SESSION_ACTIONS = ("ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*")


def _acknowledge_ssm_session(construct: Construct) -> None:
    """The IAM5 findings of the Session Manager statement, with the reason they are accepted."""
    reason = (
        "SSM Session Manager's agent channels (ssmmessages:*, ec2messages:*, "
        "ssm:UpdateInstanceInformation) have no resource-level permissions, so AWS grants them "
        "on '*'; this is the whole statement, narrower than AmazonSSMManagedInstanceCore."
    )
    Validations.of(construct).acknowledge(
        *(
            Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
            for finding in ("Action::ssmmessages:*", "Action::ec2messages:*", "Resource::*")
        )
    )


def _allow_ssm_session(role: iam.IRole) -> None:
    """Let instances with ``role`` be reached through Session Manager: no key, no open port."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(_SSM_SESSION_ACTIONS), resources=["*"])
    )
    _acknowledge_ssm_session(role)


# Handlers aws-cdk-lib writes for a stack, by their construct id at the stack's root, with the
# cfn-lint checks they trip: each gets both a GetAtt on its role and a DependsOn on it (W3005,
# "obsolete DependsOn"). Harmless and not ours to change, so the exception sits on them alone.
_CDK_HANDLERS = {
    "Custom::VpcRestrictDefaultSGCustomResourceProvider": ("Handler", ("W3005",)),
    "Custom::S3AutoDeleteObjectsCustomResourceProvider": ("Handler", ("W3005",)),
}


def _except_cdk_handlers(scope: Construct) -> None:
    """Put the cfn-lint exceptions on aws-cdk-lib's own handlers in ``scope``'s stack.

    Call it after creating what brings those handlers (a VPC that restricts its default security
    group, a bucket that empties itself on deletion).
    """
    stack = Stack.of(scope)
    for provider_id, (child_id, checks) in _CDK_HANDLERS.items():
        provider = stack.node.try_find_child(provider_id)
        handler = provider.node.try_find_child(child_id) if provider is not None else None
        if isinstance(handler, CfnResource):
            _lint_exception(handler, checks)


def _lint_exception(resource: CfnResource, checks: tuple[str, ...]) -> None:
    """A cfn-lint exception in ``resource``'s Metadata: visible, and on that resource only."""
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": list(checks)}})


# The custom resources aws-cdk-lib adds on its own, by construct id under their owner, with the
# id of the stack-wide provider whose handler they invoke.
_CDK_CUSTOM_RESOURCES = {
    "RestrictDefaultSecurityGroupCustomResource": (
        "Custom::VpcRestrictDefaultSGCustomResourceProvider"
    ),
    "AutoDeleteObjectsCustomResource": "Custom::S3AutoDeleteObjectsCustomResourceProvider",
}


def _own_cdk_handler_logs(
    owner: Construct, *, retention: logs.RetentionDays, removal_policy: RemovalPolicy
) -> None:
    """Give the handler behind ``owner``'s aws-cdk-lib custom resource a log group of the stack.

    Left alone, Lambda creates ``/aws/lambda/<function>`` on the first invocation, keeps it
    forever and leaves it behind after ``cdk destroy`` (aws/aws-cdk#26553, #29248). The group is
    created after the function (its name needs the function's name) and before the custom
    resource runs it; on deletion the custom resource goes first, so nothing writes afterwards.
    One group per handler and stack: the first owner's retention and removal policy win.
    """
    stack = Stack.of(owner)
    for resource_id, provider_id in _CDK_CUSTOM_RESOURCES.items():
        resource = owner.node.try_find_child(resource_id)
        if resource is None:
            continue
        provider = stack.node.try_find_child(provider_id)
        handler = provider.node.try_find_child("Handler") if provider is not None else None
        if not isinstance(handler, CfnResource):
            continue
        group_id = f"{provider_id.removeprefix('Custom::')}Logs"
        group = stack.node.try_find_child(group_id)
        if group is None:
            group = _managed_log_group(
                stack,
                group_id,
                log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
                retention=retention,
                removal_policy=removal_policy,
            )
        resource.node.add_dependency(group)


# END VENDORED


def usable_addresses(mask: int) -> int:
    """The addresses a subnet of prefix ``/mask`` (16 to 28) leaves for hosts.

    AWS keeps 5 of every subnet, so a /27 (32 addresses) holds 27 hosts and a /28 only 11.
    """
    _check_known_int("mask", mask, *SUBNET_MASKS)
    return 2 ** (32 - mask) - RESERVED_PER_SUBNET


def subnet_mask_for_hosts(hosts: int) -> int:
    """The smallest subnet (the longest prefix, /28 at most) whose usable addresses hold ``hosts``.

    29 hosts need a /26 (59 usable), not a /27 (27 usable).
    """
    return _mask_for_hosts("hosts", hosts, SUBNET_MASKS[0])


def _check_known_int(name: str, value: object, low: int, high: int, unit: str = "") -> None:
    """A whole number needed while the template is written: a token is refused, not passed."""
    if _is_token(value):
        raise ValueError(
            f"{name} is a deploy-time token; allowed: a whole number known at synthesis, "
            f"{low} to {high}{unit} (subnet sizes are computed when the template is written)"
        )
    _check_int(name, value, low, high, unit)


def _mask_for_hosts(name: str, hosts: object, widest: int) -> int:
    most = 2 ** (32 - widest) - RESERVED_PER_SUBNET
    _check_known_int(
        name, hosts, 1, most, f" (the usable addresses of a /{widest}, AWS keeping 5 of them)"
    )
    return max(
        mask for mask in range(widest, SUBNET_MASKS[1] + 1) if usable_addresses(mask) >= hosts
    )


def _parse_vpc_cidr(cidr: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as error:
        raise ValueError(
            f"vpc_cidr {cidr!r} is not a valid IPv4 CIDR block ({error}); "
            "expected a network address such as '10.0.0.0/16'"
        ) from None
    if not any(network.subnet_of(private) for private in _PRIVATE_RANGES):
        raise ValueError(
            f"vpc_cidr {cidr!r} is not in a private range; "
            "allowed: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918)"
        )
    if not 16 <= network.prefixlen <= 28:
        raise ValueError(
            f"vpc_cidr {cidr!r} has prefix /{network.prefixlen}; a VPC allows /16 to /28"
        )
    return network


def _check_subnet_masks(
    network: ipaddress.IPv4Network, max_azs: int, masks: dict[str, int]
) -> None:
    for name, mask in masks.items():
        if not network.prefixlen <= mask <= 28:
            raise ValueError(
                f"{name} is /{mask}; it must lie between the VPC's /{network.prefixlen} and /28"
            )
    needed = sum(2 ** (32 - mask) for mask in masks.values()) * max_azs
    if needed > network.num_addresses:
        sizes = ", ".join(f"{name}=/{mask}" for name, mask in masks.items())
        raise ValueError(
            f"vpc_cidr {network} has {network.num_addresses} addresses but {max_azs} AZs x "
            f"({sizes}) need {needed}; use a larger VPC, fewer AZs or smaller subnets"
        )


def _check_ssh_cidr(cidr: str) -> None:
    try:
        _check_source_cidr(
            "ssh_cidr", cidr, SSH_WIDEST_IPV4, SSH_WIDEST_IPV6, example="203.0.113.7/32"
        )
    except ValueError as error:
        raise ValueError(
            f"{error}; give the range you connect from, or leave ssh_cidr unset and use SSM "
            "Session Manager"
        ) from None


def _app_subnet_mask(
    network: ipaddress.IPv4Network, app_subnet_mask: int, app_subnet_hosts: object
) -> tuple[str, int]:
    """The application subnets' mask, sized from ``app_subnet_hosts`` when it is given, and the
    name messages give it."""
    if app_subnet_hosts is None:
        return "app_subnet_mask", app_subnet_mask
    if app_subnet_mask != _DEFAULT_APP_SUBNET_MASK:
        raise ValueError(
            f"app_subnet_hosts is {app_subnet_hosts!r} and app_subnet_mask is {app_subnet_mask}; "
            "allowed: one of them (app_subnet_hosts chooses the mask)"
        )
    mask = _mask_for_hosts("app_subnet_hosts", app_subnet_hosts, network.prefixlen)
    return f"app_subnet_mask (for app_subnet_hosts={app_subnet_hosts})", mask


def _check_blocked_cidrs(
    blocked_cidrs: object,
    network_acls: bool,
    network: ipaddress.IPv4Network,
    ssh_cidr: str | None,
) -> None:
    example = "198.51.100.0/24"
    if isinstance(blocked_cidrs, str) or not isinstance(blocked_cidrs, Sequence):
        raise ValueError(
            f"blocked_cidrs is {blocked_cidrs!r}; allowed: a list of CIDR blocks, "
            f"such as [{example!r}]"
        )
    if blocked_cidrs and not network_acls:
        raise ValueError(
            "blocked_cidrs needs network_acls=True: only a network ACL can deny a range "
            "(security groups only allow)"
        )
    if len(blocked_cidrs) > MAX_BLOCKED_CIDRS:
        raise ValueError(
            f"blocked_cidrs has {len(blocked_cidrs)} ranges; allowed: at most "
            f"{MAX_BLOCKED_CIDRS} (a network ACL holds 20 rules per direction by default and "
            "the public tier's allow rules take 4)"
        )
    ssh = _parse_cidr("ssh_cidr", ssh_cidr) if ssh_cidr is not None else None
    seen: set[ipaddress.IPv4Network | ipaddress.IPv6Network] = set()
    for index, cidr in enumerate(blocked_cidrs):
        name = f"blocked_cidrs[{index}]"
        if _is_token(cidr):
            continue
        blocked = _parse_cidr(name, cidr, example)
        if blocked.prefixlen == 0:
            raise ValueError(
                f"{name} is {cidr!r}, every address; allowed: a narrower range such as "
                f"{example!r} (denying everything cuts the public tier off the internet)"
            )
        if blocked.version == 4 and blocked.overlaps(network):
            raise ValueError(
                f"{name} is {cidr!r}, which overlaps the VPC's own {network}; allowed: a range "
                "outside the VPC (the tiers' own traffic crosses the public tier's ACL)"
            )
        if blocked in seen:
            raise ValueError(f"{name} is {cidr!r} again; allowed: each range once")
        seen.add(blocked)
        if ssh is not None and ssh.version == blocked.version and ssh.subnet_of(blocked):
            raise ValueError(
                f"ssh_cidr {ssh_cidr!r} lies inside {name} {cidr!r}; the deny comes first, so "
                "SSH could never reach the bastion: unblock it or choose another ssh_cidr"
            )


def _validate(
    *,
    vpc_cidr: str,
    max_azs: int,
    nat_type: str,
    nat_gateways: int,
    ssh_cidr: str | None,
    db_port: int,
    masks: dict[str, int],
    instance_types: dict[str, str],
    options: dict[str, object],
) -> int:
    """Every prop checked; returns the application subnets' mask (sized if asked)."""
    _check_int("max_azs", max_azs, 1, _MAX_AZS)
    for name, mask in masks.items():
        _check_int(name, mask, 16, 28)
    network = _parse_vpc_cidr(vpc_cidr)
    app_name, app_mask = _app_subnet_mask(
        network, masks["app_subnet_mask"], options["app_subnet_hosts"]
    )
    masks = {
        "public_subnet_mask": masks["public_subnet_mask"],
        app_name: app_mask,
        "data_subnet_mask": masks["data_subnet_mask"],
    }
    _check_subnet_masks(network, max_azs, masks)
    _check_choice("nat_type", nat_type, _NAT_TYPES)
    for name, instance_type in instance_types.items():
        _check_instance_type(name, instance_type)
    _check_int("nat_gateways", nat_gateways, 0, _MAX_AZS)
    if nat_type == "none" and nat_gateways != 0:
        raise ValueError(f"nat_gateways is {nat_gateways} but nat_type is 'none'; set it to 0")
    if nat_type != "none" and not 1 <= nat_gateways <= max_azs:
        raise ValueError(
            f"nat_gateways is {nat_gateways}; with nat_type {nat_type!r} allowed: "
            f"1 to max_azs ({max_azs}): a NAT per AZ at most"
        )
    if ssh_cidr is not None:
        _check_ssh_cidr(ssh_cidr)
    _check_int("db_port", db_port, 1, 65535)
    for name in ("bastion", "network_acls", "bastion_high_availability"):
        _check_flag(name, options[name])
    _check_blocked_cidrs(options["blocked_cidrs"], options["network_acls"], network, ssh_cidr)
    if options["bastion_high_availability"]:
        if not options["bastion"]:
            raise ValueError(
                "bastion_high_availability is True but bastion is False; allowed: True only "
                "with a bastion"
            )
        if max_azs < 2:
            raise ValueError(
                f"bastion_high_availability is True with max_azs {max_azs}; allowed: max_azs 2 "
                "or more (the group replaces its bastion in another AZ)"
            )
    return app_mask


class ThreeTierNetwork(Construct):
    """A VPC with public, application (NAT egress) and data (isolated) tiers, and a bastion.

    Attributes for other architectures: ``vpc``, ``app_security_group`` (SSH only from the
    bastion), ``data_security_group`` (``db_port`` only from the application tier),
    ``bastion`` (the single bastion instance, or None), ``bastion_group`` (the Auto Scaling group
    of ``bastion_high_availability``, or None), ``bastion_security_group`` (the bastion's group
    either way, or None) and ``network_acls`` (tier name -> ``NetworkAcl``, empty unless
    ``network_acls=True``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc_cidr: str = "10.0.0.0/16",
        max_azs: int = 2,
        nat_type: NatType = "gateway",
        nat_gateways: int = 1,
        nat_instance_type: str = "t4g.nano",
        public_subnet_mask: int = 24,
        app_subnet_mask: int = 20,
        data_subnet_mask: int = 24,
        bastion: bool = True,
        bastion_instance_type: str = "t4g.nano",
        ssh_cidr: str | None = None,
        db_port: int = 5432,
        flow_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        network_acls: bool = False,
        blocked_cidrs: Sequence[str] = (),
        app_subnet_hosts: int | None = None,
        bastion_high_availability: bool = False,
    ) -> None:
        """Create the network.

        :param vpc_cidr: private IPv4 range, /16 to /28. Default: ``10.0.0.0/16``.
        :param max_azs: availability zones to span, 1 to 6. Default: 2 (high availability needs 2+).
        :param nat_type: ``gateway`` (managed NAT gateway), ``instance`` (a cheaper EC2 NAT
            instance, ``NatProvider.instance_v2``, admitting only the VPC's own range, IMDSv2
            required, encrypted root volume) or ``none`` (the application tier has no internet
            egress). Default: ``gateway``.
        :param nat_gateways: how many NATs, 1 to ``max_azs``; one per AZ removes the single point
            of failure. Must be 0 with ``nat_type="none"``. Default: 1.
        :param nat_instance_type: instance type for ``nat_type="instance"``. Default: ``t4g.nano``.
        :param public_subnet_mask: prefix length of each public subnet. Default: 24.
        :param app_subnet_mask: prefix length of each application subnet. Default: 20.
        :param data_subnet_mask: prefix length of each data subnet. Default: 24.
        :param bastion: create a bastion host in a public subnet. Default: True.
        :param bastion_instance_type: the bastion's instance type. Default: ``t4g.nano``.
        :param ssh_cidr: the only range allowed to SSH to the bastion: one CIDR block with its
            prefix length, IPv4 /16 or narrower or IPv6 /48 or narrower (never a slice of the
            internet), not IPv4-mapped IPv6. Default: None (no SSH at all: connect with SSM
            Session Manager).
        :param db_port: the port the data tier accepts from the application tier.
            Default: 5432 (PostgreSQL).
        :param flow_log_retention: how long VPC flow logs are kept. Default: one month.
        :param removal_policy: what happens to the flow-log group when the stack is deleted.
            Default: RETAIN.
        :param network_acls: give each tier its own network ACL, stateless, rules numbered in
            steps of 100, every allowed flow with its return rule on ephemeral ports 1024-65535:
            public in 80/443 from anywhere and 22 from ``ssh_cidr`` only; application in only
            from the VPC (plus the answers NAT and the gateway endpoints bring back); data in
            only ``db_port`` from the application subnets, out only the answers to them.
            Anything else meets the ACL's built-in final deny. Default: False (the VPC's default
            ACL, which allows everything, and the security groups alone filter).
        :param blocked_cidrs: ranges the public tier denies in both directions, before any
            allow: what a security group cannot do. Each one CIDR block (IPv4 or IPv6, with its
            prefix length), outside the VPC, not ``0.0.0.0/0``, at most 16. Needs
            ``network_acls=True``. Default: none.
        :param app_subnet_hosts: size the application subnets for this many hosts: the
            smallest mask whose addresses, less the 5 AWS keeps in every subnet, hold them (29
            hosts: /26). 1 to the usable addresses of the VPC's own size; not together with a
            non-default ``app_subnet_mask``. Default: None (``app_subnet_mask`` decides).
        :param bastion_high_availability: run the bastion as an Auto Scaling group of exactly
            one instance across every AZ's public subnet, replaced in another AZ when its own
            fails; same image, IMDSv2, encrypted volume, Session Manager role and security group
            rules. Needs ``bastion`` and ``max_azs`` 2 or more. ``bastion`` is then None (there
            is no fixed instance) and ``bastion_group`` the group. Default: False (one instance
            in one public subnet, not highly available).
        """
        super().__init__(scope, construct_id)
        masks = {
            "public_subnet_mask": public_subnet_mask,
            "app_subnet_mask": app_subnet_mask,
            "data_subnet_mask": data_subnet_mask,
        }
        app_subnet_mask = _validate(
            vpc_cidr=vpc_cidr,
            max_azs=max_azs,
            nat_type=nat_type,
            nat_gateways=nat_gateways,
            ssh_cidr=ssh_cidr,
            db_port=db_port,
            masks=masks,
            instance_types={
                "nat_instance_type": nat_instance_type,
                "bastion_instance_type": bastion_instance_type,
            },
            options={
                "bastion": bastion,
                "network_acls": network_acls,
                "blocked_cidrs": blocked_cidrs,
                "app_subnet_hosts": app_subnet_hosts,
                "bastion_high_availability": bastion_high_availability,
            },
        )
        self.db_port = db_port

        self._nat = _nat_provider(nat_type, nat_instance_type)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(vpc_cidr),
            max_azs=max_azs,
            nat_gateways=nat_gateways,
            nat_gateway_provider=self._nat,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name=PUBLIC, subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=public_subnet_mask
                ),
                ec2.SubnetConfiguration(
                    name=APPLICATION,
                    subnet_type=(
                        ec2.SubnetType.PRIVATE_ISOLATED
                        if nat_type == "none"
                        else ec2.SubnetType.PRIVATE_WITH_EGRESS
                    ),
                    cidr_mask=app_subnet_mask,
                ),
                ec2.SubnetConfiguration(
                    name=DATA,
                    subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
                    cidr_mask=data_subnet_mask,
                ),
            ],
            gateway_endpoints={
                # Free, and keep S3/DynamoDB traffic off the NAT (notes 002:2760-2782).
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDB": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
            },
        )
        self._add_flow_logs(flow_log_retention, removal_policy)
        if nat_type == "instance":
            self._harden_nat_instances(vpc_cidr)
        self.app_subnets = ec2.SubnetSelection(subnet_group_name=APPLICATION)
        self.data_subnets = ec2.SubnetSelection(subnet_group_name=DATA)
        self.public_subnets = ec2.SubnetSelection(subnet_group_name=PUBLIC)

        self.bastion: ec2.BastionHostLinux | None = None
        self.bastion_group: autoscaling.AutoScalingGroup | None = None
        self.bastion_security_group: ec2.ISecurityGroup | None = None
        if bastion and bastion_high_availability:
            self.bastion_group = self._add_bastion_group(bastion_instance_type, ssh_cidr)
            self.bastion_security_group = self.bastion_group.connections.security_groups[0]
        elif bastion:
            self.bastion = self._add_bastion(bastion_instance_type, ssh_cidr)
            self.bastion_security_group = self.bastion.connections.security_groups[0]

        self.app_security_group = ec2.SecurityGroup(
            self,
            "AppSecurityGroup",
            vpc=self.vpc,
            description="Application tier: SSH only from the bastion host",
            allow_all_outbound=True,
        )
        if self.bastion_security_group is not None:
            self.app_security_group.add_ingress_rule(
                self.bastion_security_group, ec2.Port.tcp(22), "SSH from the bastion host only"
            )
        self.data_security_group = ec2.SecurityGroup(
            self,
            "DataSecurityGroup",
            vpc=self.vpc,
            description=f"Data tier: port {db_port} only from the application tier",
            allow_all_outbound=False,
        )
        self.data_security_group.add_ingress_rule(
            self.app_security_group,
            ec2.Port.tcp(db_port),
            "Database port from the application tier",
        )
        self.network_acls: dict[str, ec2.NetworkAcl] = {}
        if network_acls:
            self.network_acls = self._add_network_acls(
                vpc_cidr, ssh_cidr, tuple(blocked_cidrs), db_port
            )
        _own_cdk_handler_logs(self.vpc, retention=flow_log_retention, removal_policy=removal_policy)
        _except_cdk_handlers(self)

    def _add_network_acls(
        self, vpc_cidr: str, ssh_cidr: str | None, blocked_cidrs: tuple[str, ...], db_port: int
    ) -> dict[str, ec2.NetworkAcl]:
        """One ACL per tier. Stateless: each allowed flow has its answer's rule the other way.

        The flows the architecture itself needs: internet <-> load balancer (80/443) and bastion
        (22 from ``ssh_cidr``) in the public tier; public -> application (the bastion's SSH, a
        load balancer's targets) and back; application -> data (``db_port``) and back;
        application -> internet (80/443) through the NAT in the public tier, or to S3 and
        DynamoDB through the gateway endpoints (a network ACL cannot name their prefix lists,
        so 80/443 go to any address), and the answers back on ephemeral ports.
        """
        allow, deny = ec2.Action.ALLOW, ec2.Action.DENY
        anywhere, vpc = ec2.AclCidr.any_ipv4(), ec2.AclCidr.ipv4(vpc_cidr)
        http, https, ssh = (ec2.AclTraffic.tcp_port(port) for port in (80, 443, 22))
        answers = ec2.AclTraffic.tcp_port_range(*EPHEMERAL_PORTS)
        database = ec2.AclTraffic.tcp_port(db_port)
        app_cidrs = [
            ec2.AclCidr.ipv4(subnet.ipv4_cidr_block)
            for subnet in self.vpc.select_subnets(subnet_group_name=APPLICATION).subnets
        ]
        data_cidrs = [
            ec2.AclCidr.ipv4(subnet.ipv4_cidr_block)
            for subnet in self.vpc.select_subnets(subnet_group_name=DATA).subnets
        ]
        blocked = [(deny, _acl_cidr(cidr), ec2.AclTraffic.all_traffic()) for cidr in blocked_cidrs]
        ssh_in = [(allow, _acl_cidr(ssh_cidr), ssh)] if ssh_cidr is not None else []
        return {
            PUBLIC: self._network_acl(
                PUBLIC,
                inbound=[
                    *blocked,
                    (allow, anywhere, http),
                    (allow, anywhere, https),
                    *ssh_in,
                    (allow, anywhere, answers),
                ],
                outbound=[
                    *blocked,
                    (allow, anywhere, http),
                    (allow, anywhere, https),
                    (allow, vpc, ssh),
                    (allow, anywhere, answers),
                ],
            ),
            APPLICATION: self._network_acl(
                APPLICATION,
                inbound=[
                    (allow, vpc, ec2.AclTraffic.tcp_port_range(0, 65535)),
                    (allow, anywhere, answers),
                ],
                outbound=[
                    (allow, anywhere, https),
                    (allow, anywhere, http),
                    (allow, vpc, answers),
                    *((allow, cidr, database) for cidr in data_cidrs),
                ],
            ),
            DATA: self._network_acl(
                DATA,
                inbound=[(allow, cidr, database) for cidr in app_cidrs],
                outbound=[(allow, cidr, answers) for cidr in app_cidrs],
            ),
        }

    def _network_acl(
        self,
        tier: str,
        *,
        inbound: list[tuple[ec2.Action, ec2.AclCidr, ec2.AclTraffic]],
        outbound: list[tuple[ec2.Action, ec2.AclCidr, ec2.AclTraffic]],
    ) -> ec2.NetworkAcl:
        """An ACL on ``tier``'s subnets, its rules numbered 100, 200, ... in the order given;
        what no rule allows meets the ACL's own final ``*`` deny."""
        acl = ec2.NetworkAcl(
            self,
            f"{tier}NetworkAcl",
            vpc=self.vpc,
            subnet_selection=ec2.SubnetSelection(subnet_group_name=tier),
        )
        Validations.of(acl).acknowledge(
            Acknowledgment(
                id="AwsSolutions-VPC3",
                reason="Asked for with network_acls=True: a stateless second layer under the "
                "security groups, which still filter per instance; it bounds each tier by subnet "
                "and denies blocked_cidrs, and every allowed flow has its return rule (tested).",
            )
        )
        for direction, rules in (
            (ec2.TrafficDirection.INGRESS, inbound),
            (ec2.TrafficDirection.EGRESS, outbound),
        ):
            for position, (action, cidr, traffic) in enumerate(rules, start=1):
                number = position * NACL_RULE_STEP
                acl.add_entry(
                    f"{direction.name.title()}{number}",
                    cidr=cidr,
                    traffic=traffic,
                    direction=direction,
                    rule_number=number,
                    rule_action=action,
                )
        return acl

    def _add_flow_logs(self, retention: logs.RetentionDays, removal_policy: RemovalPolicy) -> None:
        log_group = _managed_log_group(
            self, "FlowLogGroup", retention=retention, removal_policy=removal_policy
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

    def _harden_nat_instances(self, vpc_cidr: str) -> None:
        """NAT instances as secure as the rest: traffic only from inside, IMDSv2, encrypted.

        aws-cdk-lib's ``instance_v2`` would admit all traffic from 0.0.0.0/0, allow IMDSv1 and
        boot from an unencrypted volume.
        """
        self._nat.connections.allow_from(
            _peer(vpc_cidr),
            ec2.Port.all_traffic(),
            "Traffic from inside the VPC, forwarded to the internet",
        )
        for subnet in self.vpc.public_subnets:
            instance = subnet.node.try_find_child("NatInstance")
            if not isinstance(instance, ec2.Instance):
                continue
            Aspects.of(instance).add(ec2.InstanceRequireImdsv2Aspect())
            instance.instance.block_device_mappings = [
                ec2.CfnInstance.BlockDeviceMappingProperty(
                    device_name="/dev/xvda",
                    ebs=ec2.CfnInstance.EbsProperty(
                        encrypted=True, volume_type="gp3", delete_on_termination=True
                    ),
                )
            ]
            Validations.of(instance).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-EC28",
                    reason="A NAT instance forwards packets and keeps no state worth 1-minute "
                    "metrics; detailed monitoring would cost more than the t4g.nano itself.",
                ),
                Acknowledgment(
                    id="AwsSolutions-EC29",
                    reason="A NAT instance is disposable and replaced, not restored: "
                    "termination protection would only stop a sandbox `cdk destroy`.",
                ),
            )

    def _add_bastion(self, instance_type: str, ssh_cidr: str | None) -> ec2.BastionHostLinux:
        bastion = ec2.BastionHostLinux(
            self,
            "Bastion",
            vpc=self.vpc,
            subnet_selection=ec2.SubnetSelection(subnet_group_name=PUBLIC),
            instance_type=ec2.InstanceType(instance_type),
            require_imdsv2=True,
            block_devices=[_encrypted_root_volume()],
        )
        if ssh_cidr is not None:
            bastion.allow_ssh_access_from(_peer(ssh_cidr))
        Validations.of(bastion).acknowledge(
            Acknowledgment(
                id="AwsSolutions-EC28",
                reason="A bastion is an idle jump host: detailed monitoring (1-minute metrics) "
                "would cost more than the instance and adds nothing to study or operate it.",
            ),
            Acknowledgment(
                id="AwsSolutions-EC29",
                reason="The bastion is disposable and stateless: recreate it rather than protect "
                "it, so a sandbox `cdk destroy` removes it.",
            ),
        )
        # BastionHostLinux grants Session Manager's statement itself, the same one as ours.
        _acknowledge_ssm_session(bastion)
        return bastion

    def _add_bastion_group(
        self, instance_type: str, ssh_cidr: str | None
    ) -> autoscaling.AutoScalingGroup:
        """The bastion as an Auto Scaling group of one over every public subnet.

        What BastionHostLinux gives the single instance, given here by hand: Amazon Linux 2023
        for the instance type's architecture, IMDSv2, an encrypted root volume, Session
        Manager's statement and no inbound rule but SSH from ``ssh_cidr``. It keeps no state, so
        a replacement in another AZ is the same bastion.
        """
        itype = ec2.InstanceType(instance_type)
        security_group = ec2.SecurityGroup(
            self,
            "BastionGroupSecurityGroup",
            vpc=self.vpc,
            description="Bastion host group: SSH only from ssh_cidr, none without it",
            allow_all_outbound=True,
        )
        if ssh_cidr is not None:
            security_group.add_ingress_rule(
                _peer(ssh_cidr), ec2.Port.tcp(22), "SSH from the given range only"
            )
        role = iam.Role(
            self,
            "BastionGroupRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Bastion host: SSM Session Manager, no other permission",
        )
        _allow_ssm_session(role)
        launch_template = ec2.LaunchTemplate(
            self,
            "BastionLaunchTemplate",
            instance_type=itype,
            machine_image=_al2023_image(itype),
            security_group=security_group,
            role=role,
            require_imdsv2=True,
            block_devices=[_encrypted_root_volume()],
        )
        group = autoscaling.AutoScalingGroup(
            self,
            "BastionGroup",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name=PUBLIC),
            launch_template=launch_template,
            min_capacity=1,
            desired_capacity=1,
            max_capacity=1,
            # A new launch template version (a newer image) replaces the bastion, as it would
            # replace the single instance.
            update_policy=autoscaling.UpdatePolicy.rolling_update(),
        )
        Annotations.of(group).acknowledge_warning(
            "@aws-cdk/aws-autoscaling:desiredCapacitySet",
            "Minimum, desired and maximum are all 1: a deployment can only reset the group to "
            "the one bastion it always has.",
        )
        Validations.of(group).acknowledge(
            Acknowledgment(
                id="AwsSolutions-AS3",
                reason="A group of one idle bastion: each replacement is in the group's activity "
                "history and on EventBridge at no cost; nobody would read an SNS topic of them.",
            )
        )
        return group


def _acl_cidr(cidr: str) -> ec2.AclCidr:
    """The network-ACL form of a CIDR block that has been checked already."""
    return ec2.AclCidr.ipv6(cidr) if ":" in cidr else ec2.AclCidr.ipv4(cidr)


def _nat_provider(nat_type: str, instance_type: str) -> ec2.NatProvider | None:
    if nat_type == "instance":
        # Outbound only here; _harden_nat_instances admits the VPC's own range once it exists.
        return ec2.NatProvider.instance_v2(
            instance_type=ec2.InstanceType(instance_type),
            default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
        )
    if nat_type == "gateway":
        return ec2.NatProvider.gateway()
    return None
