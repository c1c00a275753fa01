"""Templates of ThreeTierNetwork options no profile uses, each synthesized once when asked for.

``TEMPLATES[name]()`` returns the template of a small stack holding one ``ThreeTierNetwork``
built with ``OPTIONS[name]``; facts/network.toml names them ``options:<name>``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from constructs_lib.network import ThreeTierNetwork
from tests.conftest import PINNED_ENV, cdk_context

SSH_CIDR = "203.0.113.7/32"
# Two documentation ranges, IPv4 and IPv6, neither inside the VPC nor around ssh_cidr.
BLOCKED_CIDRS = ("198.51.100.0/24", "2001:db8::/32")
APP_SUBNET_HOSTS = 29

# Template name -> the construct's props (the stack's name is the template's, in CamelCase).
OPTIONS: dict[str, dict] = {
    "network_acls": {
        "network_acls": True,
        "ssh_cidr": SSH_CIDR,
        "blocked_cidrs": BLOCKED_CIDRS,
    },
    "app_subnet_hosts": {"app_subnet_hosts": APP_SUBNET_HOSTS},
    "bastion_ha": {"bastion_high_availability": True, "ssh_cidr": SSH_CIDR, "max_azs": 3},
    "ssh_cidr": {"ssh_cidr": SSH_CIDR},
    "nat_instance": {"nat_type": "instance", "bastion": False},
}


def stack_name(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def add_network(app: App, name: str) -> Stack:
    """The stack of template ``name`` in ``app``: one network, built with ``OPTIONS[name]``."""
    stack = Stack(app, stack_name(name), env=PINNED_ENV)
    ThreeTierNetwork(stack, "Network", **OPTIONS[name])
    return stack


def _template(name: str) -> dict:
    app = App(context=cdk_context("sandbox"))
    return Template.from_stack(add_network(app, name)).to_json()


@functools.cache
def network_acls() -> dict:
    return _template("network_acls")


@functools.cache
def app_subnet_hosts() -> dict:
    return _template("app_subnet_hosts")


@functools.cache
def bastion_ha() -> dict:
    return _template("bastion_ha")


@functools.cache
def ssh_cidr() -> dict:
    return _template("ssh_cidr")


@functools.cache
def nat_instance() -> dict:
    return _template("nat_instance")


TEMPLATES: dict[str, Callable[[], dict]] = {
    "network_acls": network_acls,
    "app_subnet_hosts": app_subnet_hosts,
    "bastion_ha": bastion_ha,
    "ssh_cidr": ssh_cidr,
    "nat_instance": nat_instance,
}
