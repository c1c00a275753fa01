"""The one DNS name clients resolve: a Route 53 hosted zone and its A record (WhatIsTheTime.com
v4 to v7).

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

What the notes teach about the name in front of an application, built in:

- a hosted zone holds a domain's records: a public one answers the internet once the domain's
  registrar points to its name servers (that step is yours: ``name_servers``) [004:2314-2329],
  a private one answers only inside the VPCs associated with it [001:914-918, 002:1771]; each
  costs $0.50 a month [001:918];
- v4: an A record listing the instances' addresses [004:2356-2361]; resolvers and clients cache
  the answer for the TTL, so a dead instance keeps being tried and a change is seen only as the
  TTL runs out; a long TTL means fewer queries, a short one fresher answers [004:2126-2134];
- a simple record is answered whole, healthy or not; multivalue answer records, each with its
  own health check, let Route 53 leave out the unhealthy addresses and answer with up to 8
  healthy ones (``health_checks=True``, the fix for v4's dead instances) [004:2183-2188,
  002:1766-1768]; Route 53's health checkers are on the internet, outside any VPC, so only
  public addresses can be checked [004:2202-2204];
- v5 on: an alias A record to a load balancer, which balances on the server side and checks its
  targets itself [004:2365-2367]; an alias has no TTL of its own (Route 53 follows the target's
  changing addresses) and, unlike a CNAME, works at the zone apex [004:2134, 004:2283-2285].
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Tags, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from constructs import Construct

# A DNS label as hostnames use it: 1 to 63 lowercase letters, digits and hyphens, no hyphen at
# either end. A zone has two or more labels; the whole name is at most 253 characters.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ZONE_NAME = rf"{_LABEL}(?:\.{_LABEL})+"
_RECORD_NAME = rf"{_LABEL}(?:\.{_LABEL})*"
_MAX_NAME = 253
# Top-level domains that are never delegated (RFC 2606, RFC 6762, ICANN's .internal): a public
# zone under one could never be reached, so it would cost $0.50 a month for nothing.
_UNDELEGATED = ("example", "internal", "invalid", "local", "localhost", "test")
_TTL_S = (0, 2 * 86400)  # Route 53 console's recommended upper bound: two days
_MAX_MULTIVALUE = 8  # Route 53 answers a multivalue query with at most 8 healthy records
_PORT = (1, 65535)
_PATH = r"/[!-~]{0,254}"  # Route 53 ResourcePath: up to 255 printable characters
DEFAULT_TTL = Duration.minutes(5)
DEFAULT_HEALTH_CHECK_PORT = 80
DEFAULT_HEALTH_CHECK_PATH = "/health"


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_flag, _check_text, _whole_duration, _check_strings, _check_type,
# pieces: _only_with


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


def _whole_duration(
    name: str, value: object, unit: str, low: int, high: int | None = None
) -> int | None:
    """A Duration of whole ``unit`` (``seconds``, ``minutes``, ``hours`` or ``days``) from
    ``low`` to ``high`` (no bound above when None): that number, or None for a deploy-time
    token (CloudFormation checks it then)."""
    lowest = f"{low} {unit.removesuffix('s') if low == 1 else unit}"
    span = f"at least {lowest}" if high is None else f"{low} to {high} {unit}"
    if not isinstance(value, Duration):
        raise ValueError(f"{name} is {value!r}; allowed: a Duration of whole {unit}, {span}")
    if value.is_unresolved():
        return None
    amount = getattr(value, f"to_{unit}")(integral=False)
    if amount != int(amount) or amount < low or (high is not None and amount > high):
        shown = f"{amount:.3f}".rstrip("0").rstrip(".")
        human = value.to_human_string()
        shown += f" {unit}" + ("" if human.startswith(f"{shown} ") else f" ({human})")
        raise ValueError(f"{name} is {shown}; allowed: whole {unit}, {span}")
    return int(amount)


def _check_strings(name: str, value: object, allowed: str = "strings") -> tuple[str, ...]:
    """A list or tuple of strings (a lone string is refused: it is not a list of its letters)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {allowed}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{name} contains {item!r}; allowed: a list of {allowed}")
    return tuple(value)


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _only_with(
    name: str, value: object, condition: bool, option: str, default: object = None
) -> None:
    """A prop given (other than its ``default``: None, or False for a flag) without the
    ``option`` it belongs to (``condition`` false) is a mistake, not a no-op."""
    if not condition and value is not default and value != default:
        raise ValueError(f"{name} is {value!r}; allowed only with {option}")


# END VENDORED


def _check_zone(
    zone_name: object,
    vpc: object,
    public: object,
    hosted_zone: object,
    removal_policy: object,
) -> str:
    """The zone's name (a token for an imported one whose name is); refuses a mixed choice."""
    _check_flag("public", public)
    if hosted_zone is not None:
        for name, value, default in (
            ("zone_name", zone_name, None),
            ("vpc", vpc, None),
            ("public", public, False),
            ("removal_policy", removal_policy, None),
        ):
            _only_with(name, value, False, "a new zone (hosted_zone=None)", default=default)
        return _existing_zone_name(hosted_zone)
    if zone_name is None:
        raise ValueError(
            "zone_name is None; allowed: a new zone's name such as 'whatisthetime.internal', "
            "or an existing zone as hosted_zone"
        )
    if vpc is not None:
        _check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
        _only_with(
            "public",
            public,
            False,
            "vpc=None (a zone is private to a VPC or public)",
            default=False,
        )
    elif not public:
        raise ValueError(
            f"zone_name is {zone_name!r} with neither vpc nor public; allowed: vpc (a private "
            "zone, answered only inside it) or public=True (you delegate the domain to it)"
        )
    if removal_policy is not None and not isinstance(removal_policy, RemovalPolicy):
        raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")
    _check_name("zone_name", zone_name, _ZONE_NAME, "'whatisthetime.internal'")
    if public and not _is_token(zone_name) and zone_name.rsplit(".", 1)[-1] in _UNDELEGATED:
        raise ValueError(
            f"zone_name is {zone_name!r} with public=True; allowed: a domain you can delegate "
            f"(never under .{', .'.join(_UNDELEGATED)}: no registrar delegates those)"
        )
    return zone_name


def _existing_zone_name(hosted_zone: object) -> str:
    _check_type("hosted_zone", hosted_zone, "hosted_zone_id", "a route53.IHostedZone")
    try:
        name = hosted_zone.zone_name
    except RuntimeError:  # HostedZone.from_hosted_zone_id knows no name
        raise ValueError(
            f"hosted_zone is {hosted_zone.node.path!r}, a zone without its name; allowed: "
            "HostedZone.from_hosted_zone_attributes or from_lookup (the record needs the name)"
        ) from None
    return name if _is_token(name) else name.removesuffix(".")


def _check_name(name: str, value: object, pattern: str, example: str) -> None:
    _check_text(
        name,
        value,
        pattern,
        f"a lowercase DNS name such as {example}: labels of 1 to 63 letters, digits or "
        "hyphens (none at either end), no trailing dot",
    )
    if not _is_token(value) and len(value) > _MAX_NAME:
        raise ValueError(f"{name} is {len(value)} characters; allowed: at most {_MAX_NAME}")


def _full_name(record_name: object, zone: str) -> str:
    """The record's full name, without the trailing dot."""
    if record_name is None:
        return zone
    _check_name("record_name", record_name, _RECORD_NAME, "'www', relative to the zone")
    if _is_token(record_name) or _is_token(zone):
        return f"{record_name}.{zone}"
    if record_name == zone or record_name.endswith(f".{zone}"):
        raise ValueError(
            f"record_name is {record_name!r}; allowed: a name relative to the zone {zone!r} "
            f"(such as 'www'; None for the apex), not the full name"
        )
    full = f"{record_name}.{zone}"
    if len(full) > _MAX_NAME:
        raise ValueError(
            f"record_name is {record_name!r}, making {full!r} {len(full)} characters; "
            f"allowed: at most {_MAX_NAME} with the zone's name"
        )
    return full


def _check_addresses(addresses: object, health_checks: bool) -> tuple[str, ...]:
    """IPv4 addresses, no duplicates; public ones when health-checked. Tokens pass."""
    values = _check_strings("addresses", addresses, "IPv4 addresses")
    seen: set[str] = set()
    for value in values:
        if _is_token(value):
            continue
        try:
            address = ipaddress.IPv4Address(value)
        except ValueError:
            raise ValueError(
                f"addresses contains {value!r}; allowed: IPv4 addresses such as '10.0.1.10' "
                "(an A record)"
            ) from None
        if value in seen:
            raise ValueError(f"addresses contains {value!r} twice; allowed: each address once")
        seen.add(value)
        if health_checks and not address.is_global:
            raise ValueError(
                f"addresses contains {value!r}, not a public address; allowed with "
                "health_checks=True: public IPv4 addresses (Route 53's health checkers are on "
                "the internet and cannot reach a private, shared or reserved one)"
            )
    if health_checks and len(values) > _MAX_MULTIVALUE:
        raise ValueError(
            f"addresses has {len(values)} addresses; allowed with health_checks=True: 1 to "
            f"{_MAX_MULTIVALUE} (Route 53 answers with at most {_MAX_MULTIVALUE} healthy records)"
        )
    return values


def _check_load_balancer(load_balancer: object) -> None:
    _check_type(
        "load_balancer", load_balancer, "load_balancer_dns_name", "an elbv2.ILoadBalancerV2"
    )
    try:
        load_balancer.load_balancer_canonical_hosted_zone_id  # noqa: B018 - raises if unknown
    except RuntimeError:
        raise ValueError(
            f"load_balancer is {load_balancer.node.path!r} without its canonical hosted zone "
            "id; allowed: a load balancer whose DNS name and hosted zone id are known (import "
            "it with load_balancer_dns_name and load_balancer_canonical_hosted_zone_id)"
        ) from None


def _check_target(
    *,
    addresses: object,
    load_balancer: object,
    ttl: object,
    health_checks: object,
    health_check_port: object,
    health_check_path: object,
    evaluate_target_health: object,
) -> tuple[str, ...]:
    """Exactly one of addresses and load_balancer, with only that target's companion props."""
    _check_flag("health_checks", health_checks)
    given = None if addresses is None or addresses in ((), []) else addresses
    if load_balancer is not None:
        _only_with("addresses", given, False, "load_balancer=None (one target)")
        for name, value, default in (
            ("ttl", ttl, None),
            ("health_checks", health_checks, False),
            ("health_check_port", health_check_port, None),
            ("health_check_path", health_check_path, None),
        ):
            _only_with(
                name,
                value,
                False,
                "addresses (an alias has no TTL or health check here)",
                default=default,
            )
        _check_load_balancer(load_balancer)
        if evaluate_target_health is not None:
            _check_flag("evaluate_target_health", evaluate_target_health)
        return ()
    if given is None:
        raise ValueError(
            f"addresses is {addresses!r} and load_balancer is None; allowed: one of them (the "
            "instances' IPv4 addresses, or the load balancer the name aliases)"
        )
    if evaluate_target_health is not None:  # False too: it is no default to leave off
        raise ValueError(
            f"evaluate_target_health is {evaluate_target_health!r}; allowed only with load_balancer"
        )
    for name, value in (
        ("health_check_port", health_check_port),
        ("health_check_path", health_check_path),
    ):
        _only_with(name, value, health_checks, "health_checks=True")
    if ttl is not None:
        _whole_duration("ttl", ttl, "seconds", *_TTL_S)
    if health_check_port is not None:
        _check_int("health_check_port", health_check_port, *_PORT)
    if health_check_path is not None:
        _check_text(
            "health_check_path",
            health_check_path,
            _PATH,
            "a path starting with '/', up to 255 characters without spaces, such as '/health'",
        )
    return _check_addresses(addresses, health_checks)


class DnsRecords(Construct):
    """A hosted zone (private, public or yours) and the one name clients resolve: an A record
    of addresses, health-checked multivalue records, or an alias to a load balancer.

    The zone:

    :param zone_name: the new zone's name, e.g. ``"whatisthetime.internal"``; lowercase, two or
        more labels, no trailing dot. Required unless ``hosted_zone``.
    :param vpc: with ``zone_name``: a private zone associated with this VPC, answered only
        inside it (the VPC needs DNS support and DNS hostnames on: ``ec2.Vpc``'s defaults).
        Default: None.
    :param public: with ``zone_name`` and no ``vpc``: a public zone. It answers the internet only
        once you set the domain's name servers at its registrar to ``name_servers`` (also a
        stack output); a zone made again gets new ones. Default: False.
    :param hosted_zone: an existing zone instead, with its name known
        (``HostedZone.from_hosted_zone_attributes`` or ``from_lookup``); ``zone_name``, ``vpc``,
        ``public`` and ``removal_policy`` are then refused. Default: None.
    :param removal_policy: what ``cdk destroy`` does with a new zone. A zone holding only this
        stack's records is deleted cleanly; RETAIN keeps a public zone (and its name servers,
        which the registrar points to) across a teardown, at $0.50 a month. Default: DESTROY.

    The name:

    :param record_name: the record's name relative to the zone, e.g. ``"www"``. Default: None
        (the zone apex).
    :param addresses: the IPv4 addresses the name answers with (literals, or tokens such as an
        Elastic IP's ``ref`` or an instance's ``instance_public_ip``). Exactly one of
        ``addresses`` and ``load_balancer``. Default: none.
    :param ttl: with ``addresses``: how long resolvers and clients cache the answer, whole
        seconds from 0 to 172800 (two days). Longer: fewer queries to pay for, but a removed or
        dead address is still tried that long; shorter: changes seen sooner, more queries.
        Default: 5 minutes.
    :param health_checks: with ``addresses``: one Route 53 HTTP health check per address
        (about $0.50 a month each for an AWS address) and one multivalue answer record per
        address, so Route 53 stops answering with an address that fails its check. The
        addresses must be public (literals are checked; tokens are yours to get right), at most
        8, and must admit Route 53's health checkers on ``health_check_port``. Default: False (one
        simple record listing every address, answered whole, healthy or not).
    :param health_check_port: the port the health checks connect to, 1 to 65535; needs
        ``health_checks``. Default: 80.
    :param health_check_path: the path they request (a 2xx or 3xx answer is healthy); needs
        ``health_checks``. Default: ``"/health"``.
    :param load_balancer: the load balancer the name is an alias A record to (its DNS name and
        canonical hosted zone id must be known). Default: None.
    :param evaluate_target_health: with ``load_balancer``: Route 53 treats the alias as unhealthy
        while the load balancer has no healthy target, which matters once the name has other
        records to fail over to. Default: True.

    Attributes: ``hosted_zone``, ``records`` (the ``route53.ARecord`` constructs), ``fqdn`` (the
    full name, no trailing dot), ``name_servers`` (a new public zone's, a list token; else None),
    ``health_checks`` (the ``route53.HealthCheck`` constructs, one per address, or none).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        zone_name: str | None = None,
        vpc: ec2.IVpc | None = None,
        public: bool = False,
        hosted_zone: route53.IHostedZone | None = None,
        removal_policy: RemovalPolicy | None = None,
        record_name: str | None = None,
        addresses: Sequence[str] = (),
        ttl: Duration | None = None,
        health_checks: bool = False,
        health_check_port: int | None = None,
        health_check_path: str | None = None,
        load_balancer: elbv2.ILoadBalancerV2 | None = None,
        evaluate_target_health: bool | None = None,
    ) -> None:
        zone = _check_zone(zone_name, vpc, public, hosted_zone, removal_policy)
        fqdn = _full_name(record_name, zone)
        values = _check_target(
            addresses=addresses,
            load_balancer=load_balancer,
            ttl=ttl,
            health_checks=health_checks,
            health_check_port=health_check_port,
            health_check_path=health_check_path,
            evaluate_target_health=evaluate_target_health,
        )
        super().__init__(scope, construct_id)
        self.fqdn = fqdn
        self.records: list[route53.ARecord] = []
        self.health_checks: list[route53.HealthCheck] = []
        self.name_servers: list[str] | None = None
        self.hosted_zone: route53.IHostedZone = hosted_zone or self._add_zone(
            zone, vpc, removal_policy or RemovalPolicy.DESTROY
        )
        if load_balancer is not None:
            self._add_alias(load_balancer, evaluate_target_health is not False)
        elif health_checks:
            self._add_checked_records(
                values,
                ttl or DEFAULT_TTL,
                DEFAULT_HEALTH_CHECK_PORT if health_check_port is None else health_check_port,
                health_check_path or DEFAULT_HEALTH_CHECK_PATH,
            )
        else:
            self._add_record(values, ttl or DEFAULT_TTL)

    def _add_zone(
        self, name: str, vpc: ec2.IVpc | None, removal_policy: RemovalPolicy
    ) -> route53.HostedZone:
        if vpc is not None:
            zone = route53.PrivateHostedZone(
                self, "Zone", zone_name=name, vpc=vpc, comment="Answered only inside its VPCs"
            )
        else:
            zone = route53.PublicHostedZone(
                self, "Zone", zone_name=name, comment="Delegate the domain to its name servers"
            )
            self.name_servers = zone.hosted_zone_name_servers
            CfnOutput(
                self,
                "NameServers",
                value=Fn.join(",", self.name_servers),
                description=f"Set {name}'s name servers at its registrar to these (delegation)",
            )
        zone.apply_removal_policy(removal_policy)
        return zone

    def _record(self, construct_id: str, target: route53.RecordTarget, **props) -> route53.ARecord:
        """An A record of the full name (given with its trailing dot: never re-suffixed)."""
        record = route53.ARecord(
            self,
            construct_id,
            zone=self.hosted_zone,
            record_name=f"{self.fqdn}.",
            target=target,
            **props,
        )
        self.records.append(record)
        return record

    def _add_record(self, addresses: tuple[str, ...], ttl: Duration) -> None:
        """v4: every address in one simple record; clients choose, and cache for the TTL."""
        self._record("Record", route53.RecordTarget.from_ip_addresses(*addresses), ttl=ttl)

    def _add_checked_records(
        self, addresses: tuple[str, ...], ttl: Duration, port: int, path: str
    ) -> None:
        """A multivalue record per address, answered only while its own health check passes."""
        for number, address in enumerate(addresses, start=1):
            check = route53.HealthCheck(
                self,
                f"HealthCheck{number}",
                type=route53.HealthCheckType.HTTP,
                ip_address=address,
                fqdn=self.fqdn,  # the Host header the servers see
                port=port,
                resource_path=path,
            )
            Tags.of(check).add("Name", f"{self.fqdn} {address}")
            self.health_checks.append(check)
            self._record(
                f"Record{number}",
                route53.RecordTarget.from_ip_addresses(address),
                ttl=ttl,
                multi_value_answer=True,
                set_identifier=f"address-{number}",
                health_check=check,
            )

    def _add_alias(
        self, load_balancer: elbv2.ILoadBalancerV2, evaluate_target_health: bool
    ) -> None:
        """v5 on: the name follows the load balancer's own, changing, addresses."""
        record = self._record(
            "Alias",
            route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(load_balancer)),
        )
        # LoadBalancerTarget takes this as a jsii interface, which Python builds only with the
        # jsii package; this module imports aws_cdk and constructs alone.
        record.node.default_child.add_property_override(
            "AliasTarget.EvaluateTargetHealth", evaluate_target_health
        )
