"""A shared file system: EFS, encrypted, mounted at once by many instances across AZs.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

MyWordPress.com's storage: every web server of an Auto Scaling group sees the same uploads,
whichever AZ it runs in, where an EBS volume belongs to one instance in one AZ [004:2420-2430].
What the notes teach about EFS (004:814-855, 002:2079-2112, 003:221-234), built in:

- managed NFS (v4.1) for Linux instances, mounted by many instances in many AZs at once; it grows
  and shrinks with the files, paid per use (dearer per GB than gp2/gp3, which is why old files
  age into cheaper classes);
- reached through mount targets inside the VPC, one per AZ: an instance mounts the one of its own
  AZ, so losing an AZ loses only that AZ's clients;
- a security group controls who may connect: here NFS (2049) from the groups you name, nothing
  else;
- encryption at rest with KMS (``aws/elasticfilesystem`` unless you give a key) and, here, in
  transit too: a file system policy refuses clients that do not mount with TLS (``-o tls``);
- performance mode, set at creation: General Purpose (the default, latency-sensitive: web
  serving, CMS) or Max I/O (more aggregate throughput at higher latency; AWS now recommends
  General Purpose for all file systems, and Max I/O refuses Elastic throughput);
- throughput mode: the notes teach Bursting as the default (throughput scales with the stored
  size: a small WordPress file system gets a small baseline and lives on burst credits). **now:**
  AWS recommends Elastic (throughput follows the workload, paid per GB transferred), the default
  here;
- storage classes and lifecycle policies: files not read for ``transition_to_ia_days`` move to
  Infrequent Access, optionally later to Archive, and back to Standard on their first access.

Clients identify themselves with IAM by default (``iam_authorization``): only roles given
``grant_client`` may mount, through the access point when there is one, and only over TLS.
``mount_commands`` writes the user data lines that mount it on Amazon Linux 2023.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import RemovalPolicy, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IDependable

PerformanceMode = Literal["general_purpose", "max_io"]
ThroughputMode = Literal["elastic", "bursting"]

# What EFS accepts for TransitionToIA and TransitionToArchive (AFTER_<n>_DAY[S]).
LIFECYCLE_DAYS = (1, 7, 14, 30, 60, 90, 180, 270, 365)
_PERFORMANCE = {
    "general_purpose": efs.PerformanceMode.GENERAL_PURPOSE,
    "max_io": efs.PerformanceMode.MAX_IO,
}
_THROUGHPUT = {"elastic": efs.ThroughputMode.ELASTIC, "bursting": efs.ThroughputMode.BURSTING}
_POSIX_ID = (0, 4_294_967_295)  # an access point's POSIX uid / gid
# EFS's access point path: absolute, at most four levels, 100 characters, no level starting
# with a dot, none of $#<>;`|&?{}^* (the API's own pattern).
_ACCESS_POINT_PATH = r"(?=.{2,100}$)(/(?!\.)[^$#<>;`|&?{}^*/\n]+){1,4}"
_ACCESS_POINT_PERMISSIONS = "750"  # owner rwx, group r-x: the access point's user writes
# Written unquoted into a shell line and /etc/fstab: no spaces, no shell characters.
_MOUNT_POINT = r"(/[A-Za-z0-9._-]+)+"
CLIENT_ACTIONS = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _check_type, _selection_kwargs


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


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


# The fields of an ec2.SubnetSelection, by the keywords IVpc.select_subnets takes in Python.
_SELECTION_FIELDS = (
    "availability_zones",
    "one_per_az",
    "subnet_filters",
    "subnet_group_name",
    "subnet_type",
    "subnets",
)


def _selection_kwargs(selection: ec2.SubnetSelection) -> dict[str, object]:
    """A SubnetSelection's set fields as keyword arguments for ``IVpc.select_subnets``."""
    fields = {name: getattr(selection, name) for name in _SELECTION_FIELDS}
    return {name: value for name, value in fields.items() if value is not None}


# END VENDORED


def _check_days(name: str, value: object) -> None:
    """One of the day counts EFS's lifecycle policies accept, or None; known at synthesis (it
    becomes an enum name, AFTER_30_DAYS, which a deploy-time number cannot spell)."""
    if value is None:
        return
    allowed = f"None or one of {', '.join(map(str, LIFECYCLE_DAYS))} (days, known at synthesis)"
    if isinstance(value, bool) or not isinstance(value, int) or value not in LIFECYCLE_DAYS:
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _lifecycle(days: int | None) -> efs.LifecyclePolicy | None:
    if days is None:
        return None
    return getattr(efs.LifecyclePolicy, f"AFTER_{days}_DAY{'S' if days > 1 else ''}")


def _posix_id(value: int) -> str:
    return Token.as_string(value) if Token.is_unresolved(value) else str(value)


class SharedFileSystem(Construct):
    """An encrypted EFS file system with a mount target per AZ, NFS only from ``allow_from``.

    :param vpc: the VPC of the mount targets and their clients (an ``ec2.IVpc``); it needs DNS
        support and DNS hostnames on, for clients to resolve the file system's name.
    :param subnets: where the mount targets go, at most one subnet per AZ (EFS has one mount
        target per AZ). Default: the VPC's ``PRIVATE_ISOLATED`` subnets, one per AZ (a file
        system needs no route out).
    :param allow_from: what may reach NFS (TCP 2049): security groups, instances, Auto Scaling
        groups, anything ``ec2.IConnectable``. Default: nothing (add more later with
        ``connections.allow_default_port_from``).
    :param transition_to_ia_days: days without access after which a file moves to Infrequent
        Access (cheaper storage, a fee per GB read), one of 1, 7, 14, 30, 60, 90, 180, 270, 365;
        None keeps every file in Standard. Default: 30 (EFS's own default).
    :param transition_to_archive_days: days without access after which a file moves to Archive
        (cheaper still, for files read a few times a year; 90 days' minimum storage charge),
        one of the same values and later than ``transition_to_ia_days``; needs
        ``throughput_mode="elastic"`` and General Purpose. Default: None (no Archive).
    :param back_to_standard_on_access: a file read in IA or Archive moves back to Standard
        (``TransitionToPrimaryStorageClass: AFTER_1_ACCESS``), so a file in use is not charged
        per read again and again; only written when a transition exists. Default: True.
    :param performance_mode: ``"general_purpose"`` (low latency, web serving) or ``"max_io"``
        (higher aggregate throughput and latency, with ``throughput_mode="bursting"`` only);
        set at creation: changing it replaces the file system. Default: ``"general_purpose"``.
    :param throughput_mode: ``"elastic"`` (scales with the workload, paid per GB transferred:
        AWS's recommendation now) or ``"bursting"`` (the notes' default: scales with the size
        stored, on burst credits). Default: ``"elastic"``.
    :param encryption_key: the KMS key encrypting data at rest (set at creation). Default: None
        (the AWS-managed ``aws/elasticfilesystem`` key: no key fee, no key policy to manage).
    :param enforce_in_transit_encryption: a file system policy statement denying every client
        that does not use TLS (``aws:SecureTransport`` false): clients mount with ``-o tls``
        (``mount_commands`` does). Default: True.
    :param iam_authorization: only IAM principals given ``grant_client`` may mount (clients
        mount with ``-o iam``); False lets any client the security group admits mount and write
        (the notes' plain NFS share), as root too when there is no access point. Default: True.
    :param access_point_path: the directory an access point exposes as the clients' root,
        created on first use, owned by ``posix_uid``:``posix_gid`` (mode 750); every client
        through it acts as that user, whatever its own uid. None: no access point; clients
        mount the file system's root directory, which only root may write (with
        ``iam_authorization``, grant the client that lays out directories
        ``file_system.grant_root_access``). Default: ``"/shared"``.
    :param posix_uid: the user id the access point creates the directory for and enforces on
        clients, 0 to 4294967295; ignored without an access point. Default: 1000.
    :param posix_gid: its group id, likewise. Default: 1000.
    :param automatic_backups: AWS Backup's daily EFS backup, kept 35 days in the
        ``aws/efs/automatic-backup-vault`` (recovery points outlive the file system and
        ``cdk destroy``: turn it off in a sandbox that must leave nothing). Default: True.
    :param removal_policy: the file system's removal policy (mount targets, access point and
        security group always go with the stack). Default: RETAIN.

    Attributes: ``file_system`` (``efs.FileSystem``), ``file_system_id``, ``access_point`` (or
    None), ``security_group`` (the mount targets'), ``connections`` (that group, default port
    2049: ``fs.connections.allow_default_port_from(web.connections)``),
    ``mount_targets_available`` (make instances depend on it, so they mount once the mount
    targets exist). Methods: ``mount_commands`` (user data lines), ``grant_client`` (IAM).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None = None,
        allow_from: Sequence[ec2.IConnectable] = (),
        transition_to_ia_days: int | None = 30,
        transition_to_archive_days: int | None = None,
        back_to_standard_on_access: bool = True,
        performance_mode: PerformanceMode = "general_purpose",
        throughput_mode: ThroughputMode = "elastic",
        encryption_key: kms.IKey | None = None,
        enforce_in_transit_encryption: bool = True,
        iam_authorization: bool = True,
        access_point_path: str | None = "/shared",
        posix_uid: int = 1000,
        posix_gid: int = 1000,
        automatic_backups: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        _check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
        selection = self._check_subnets(vpc, subnets)
        allowed = self._check_allow_from(allow_from)
        self._check_storage(
            transition_to_ia_days=transition_to_ia_days,
            transition_to_archive_days=transition_to_archive_days,
            performance_mode=performance_mode,
            throughput_mode=throughput_mode,
        )
        for name, flag in (
            ("back_to_standard_on_access", back_to_standard_on_access),
            ("enforce_in_transit_encryption", enforce_in_transit_encryption),
            ("iam_authorization", iam_authorization),
            ("automatic_backups", automatic_backups),
        ):
            _check_flag(name, flag)
        if encryption_key is not None:
            _check_type("encryption_key", encryption_key, "key_arn", "a kms.IKey or None")
        if access_point_path is not None:
            _check_text(
                "access_point_path",
                access_point_path,
                _ACCESS_POINT_PATH,
                "None or a directory under the root such as '/shared': absolute, at most 4 "
                "levels and 100 characters, no level starting with '.', none of $#<>;`|&?{}^* "
                "('/' itself belongs to root: the access point's user could not write it)",
            )
            _check_int("posix_uid", posix_uid, *_POSIX_ID)
            _check_int("posix_gid", posix_gid, *_POSIX_ID)
        if not isinstance(removal_policy, RemovalPolicy):
            raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")

        self._iam_authorization = iam_authorization
        self.security_group = ec2.SecurityGroup(
            self,
            "MountTargetSecurityGroup",
            vpc=vpc,
            description="EFS mount targets: NFS (TCP 2049) in from the allowed clients only",
            allow_all_outbound=False,
        )
        self.file_system = efs.FileSystem(
            self,
            "FileSystem",
            vpc=vpc,
            vpc_subnets=selection,
            security_group=self.security_group,
            encrypted=True,
            kms_key=encryption_key,
            performance_mode=_PERFORMANCE[performance_mode],
            throughput_mode=_THROUGHPUT[throughput_mode],
            lifecycle_policy=_lifecycle(transition_to_ia_days),
            transition_to_archive_policy=_lifecycle(transition_to_archive_days),
            out_of_infrequent_access_policy=(
                efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS
                if back_to_standard_on_access
                and (transition_to_ia_days is not None or transition_to_archive_days is not None)
                else None
            ),
            enable_automatic_backups=automatic_backups,
            file_system_policy=self._policy(
                enforce_in_transit_encryption, iam_authorization, access_point_path is not None
            ),
            # The policy above is the whole policy: aws-cdk-lib's own "deny anonymous" statement
            # would let every client that mounts write as root.
            allow_anonymous_access=True,
            removal_policy=removal_policy,
        )
        if not automatic_backups:
            # Said, not left to the API's default.
            self.file_system.node.default_child.add_property_override(
                "BackupPolicy", {"Status": "DISABLED"}
            )
        self.file_system_id = self.file_system.file_system_id
        self.connections = self.file_system.connections
        self.mount_targets_available: IDependable = self.file_system.mount_targets_available
        for client in allowed:
            self.connections.allow_default_port_from(client, "NFS from an allowed client")
        self.access_point: efs.AccessPoint | None = None
        if access_point_path is not None:
            self.access_point = self._add_access_point(access_point_path, posix_uid, posix_gid)

    # -- validation -----------------------------------------------------------------------------

    @staticmethod
    def _check_subnets(vpc: ec2.IVpc, subnets: object) -> ec2.SubnetSelection:
        """The selection, once it is known to name at least one subnet and one per AZ at most."""
        if subnets is not None and not isinstance(subnets, ec2.SubnetSelection):
            raise ValueError(f"subnets is {subnets!r}; allowed: an ec2.SubnetSelection or None")
        shown = "None (the VPC's PRIVATE_ISOLATED subnets)" if subnets is None else repr(subnets)
        selection = subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, one_per_az=True
        )
        try:
            chosen = vpc.select_subnets(**_selection_kwargs(selection)).subnets
        except Exception as error:  # jsii's error: no such subnet group in this VPC
            raise ValueError(
                f"subnets is {shown}; allowed: a selection of subnets of vpc ({error})"
            ) from None
        if not chosen:
            raise ValueError(f"subnets is {shown}; allowed: a selection of at least one subnet")
        zones = [
            s.availability_zone for s in chosen if not Token.is_unresolved(s.availability_zone)
        ]
        twice = sorted({zone for zone in zones if zones.count(zone) > 1})
        if twice:
            raise ValueError(
                f"subnets is {shown}, several subnets in {', '.join(twice)}; allowed: one "
                "subnet per AZ at most (EFS has one mount target per AZ; add one_per_az=True)"
            )
        return selection

    @staticmethod
    def _check_allow_from(allow_from: object) -> list[ec2.IConnectable]:
        if isinstance(allow_from, str) or not isinstance(allow_from, (list, tuple)):
            raise ValueError(
                f"allow_from is {allow_from!r}; allowed: a list of ec2.IConnectable "
                "(security groups, instances, Auto Scaling groups)"
            )
        for client in allow_from:
            _check_type(
                "allow_from",
                client,
                "connections",
                "ec2.IConnectable items (a security group, an instance, an Auto Scaling group)",
            )
        return list(allow_from)

    @staticmethod
    def _check_storage(
        *,
        transition_to_ia_days: object,
        transition_to_archive_days: object,
        performance_mode: object,
        throughput_mode: object,
    ) -> None:
        _check_days("transition_to_ia_days", transition_to_ia_days)
        _check_days("transition_to_archive_days", transition_to_archive_days)
        _check_choice("performance_mode", performance_mode, _PERFORMANCE)
        _check_choice("throughput_mode", throughput_mode, _THROUGHPUT)
        if performance_mode == "max_io" and throughput_mode == "elastic":
            raise ValueError(
                "performance_mode is 'max_io'; allowed only with throughput_mode='bursting' "
                "(EFS refuses Max I/O with Elastic throughput)"
            )
        if transition_to_archive_days is None:
            return
        if throughput_mode != "elastic":
            raise ValueError(
                f"transition_to_archive_days is {transition_to_archive_days}; allowed only with "
                "throughput_mode='elastic' (EFS Archive needs Elastic throughput and General "
                "Purpose), or None"
            )
        if (
            transition_to_ia_days is not None
            and transition_to_archive_days <= transition_to_ia_days
        ):
            raise ValueError(
                f"transition_to_archive_days is {transition_to_archive_days}; allowed: later than "
                f"transition_to_ia_days ({transition_to_ia_days}): files reach IA before Archive"
            )

    # -- resources ------------------------------------------------------------------------------

    @staticmethod
    def _policy(
        enforce_in_transit_encryption: bool, iam_authorization: bool, access_point: bool
    ) -> iam.PolicyDocument:
        """The file system policy. Once a file system has one, EFS's default (every client the
        network admits may mount, write and be root) is gone: what this allows is all there is."""
        statements = []
        if enforce_in_transit_encryption:
            statements.append(
                iam.PolicyStatement(
                    sid="DenyClientsWithoutTls",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=["*"],
                    conditions={"Bool": {"aws:SecureTransport": "false"}},
                )
            )
        if not iam_authorization:
            # Any client through a mount target (the security group decides who): mount and
            # write; root only without an access point, where a fresh file system's root
            # directory (root's, mode 755) is otherwise writable by no one.
            root = () if access_point else ("elasticfilesystem:ClientRootAccess",)
            statements.append(
                iam.PolicyStatement(
                    sid="AllowClientsThroughMountTargets",
                    principals=[iam.AnyPrincipal()],
                    actions=[*CLIENT_ACTIONS, *root],
                    conditions={"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
                )
            )
        elif not statements:
            # Nothing for anonymous clients: access is what IAM identity policies grant
            # (grant_client), delegated by naming the account.
            statements.append(
                iam.PolicyStatement(
                    sid="OnlyIamPrincipalsOfThisAccount",
                    principals=[iam.AccountRootPrincipal()],
                    actions=list(CLIENT_ACTIONS),
                    conditions={"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
                )
            )
        return iam.PolicyDocument(statements=statements)

    def _add_access_point(self, path: str, uid: int, gid: int) -> efs.AccessPoint:
        """A directory of its own, created for the application's user on first use: the
        clients' root, and the user and group they act as, whatever their own uid."""
        owner_uid, owner_gid = _posix_id(uid), _posix_id(gid)
        return self.file_system.add_access_point(
            "AccessPoint",
            path=path,
            posix_user=efs.PosixUser(uid=owner_uid, gid=owner_gid),
            create_acl=efs.Acl(
                owner_uid=owner_uid, owner_gid=owner_gid, permissions=_ACCESS_POINT_PERMISSIONS
            ),
        )

    # -- clients --------------------------------------------------------------------------------

    def mount_options(self) -> str:
        """The mount helper's options: TLS always, IAM when required, the access point."""
        options = ["tls"]
        if self._iam_authorization:
            options.append("iam")
        if self.access_point is not None:
            options.append(f"accesspoint={self.access_point.access_point_id}")
        return ",".join(options)

    def mount_commands(self, mount_point: str = "/mnt/shared") -> list[str]:
        """Shell lines for Amazon Linux 2023 user data that mount the file system at
        ``mount_point`` now and on every boot (``_netdev``: after the network is up;
        ``nofail``: a boot without EFS still completes). The instance's role needs
        ``grant_client`` when ``iam_authorization`` is on."""
        _check_text(
            "mount_point",
            mount_point,
            _MOUNT_POINT,
            "an absolute directory such as '/mnt/shared' (letters, digits, . _ - and /)",
        )
        source = f"{self.file_system_id}:/"
        options = self.mount_options()
        fstab = f"{source} {mount_point} efs _netdev,nofail,{options} 0 0"
        return [
            "dnf install -y amazon-efs-utils",
            f"mkdir -p {mount_point}",
            f"mount -t efs -o {options} {source} {mount_point}",
            f"grep -qs ' {mount_point} efs ' /etc/fstab || echo '{fstab}' >> /etc/fstab",
        ]

    def grant_client(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (an instance role) mount and write, through a mount target and,
        when there is one, only through the access point (never the root, never as root)."""
        _check_type("grantee", grantee, "grant_principal", "an iam.IGrantable (a role)")
        conditions: dict[str, dict[str, object]] = {
            "Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}
        }
        if self.access_point is not None:
            conditions["StringEquals"] = {
                "elasticfilesystem:AccessPointArn": self.access_point.access_point_arn
            }
        return iam.Grant.add_to_principal_or_resource(
            grantee=grantee,
            actions=list(CLIENT_ACTIONS),
            resource_arns=[self.file_system.file_system_arn],
            resource=self.file_system,
            conditions=conditions,
        )
