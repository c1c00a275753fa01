"""Templates of ThreeTierNetwork options no profile uses (contract: tests/option_templates.py).

``STACKS[name](app)`` adds a small stack holding one ``ThreeTierNetwork`` built with
``OPTIONS[name]``; ``TEMPLATES[name]()`` is its template, from one synthesis of every stack here;
facts/network.toml names them ``options:<name>``.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import App, Stack

from constructs_lib.network import ThreeTierNetwork
from tests.option_templates import option_stack, templates_of

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


def _network(props: dict) -> Callable[[Stack], None]:
    def build(stack: Stack) -> None:
        ThreeTierNetwork(stack, "Network", **props)

    return build


def _stack_name(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


STACKS: dict[str, Callable[[App], Stack]] = {
    name: option_stack(_stack_name(name), _network(props)) for name, props in OPTIONS.items()
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
