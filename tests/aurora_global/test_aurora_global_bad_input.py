"""Bad props and region sets are refused with a ValueError naming what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from constructs_lib.aurora_global import (
    DEFAULT_MASTER_USERNAME,
    RESERVED_USERNAMES,
    AuroraGlobalPrimary,
    AuroraGlobalSecondary,
    validate_regions,
)
from stacks.aurora_global_stack import (
    PRIMARY_REGION_CONTEXT_KEY,
    SECONDARY_REGIONS_CONTEXT_KEY,
    add_aurora_global_stacks,
)
from stacks.profiles import profile_named
from tests.conftest import PINNED_ENV


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


@pytest.fixture()
def required(stack) -> dict:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-12345678",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-1", "subnet-2"],
        private_subnet_ids=["subnet-3", "subnet-4"],
    )
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-12345678")
    return {"vpc": vpc, "security_group": group, "global_cluster_identifier": "example"}


def _postgres(version: rds.AuroraPostgresEngineVersion) -> rds.IClusterEngine:
    return rds.DatabaseClusterEngine.aurora_postgres(version=version)


def _mysql(version: rds.AuroraMysqlEngineVersion) -> rds.IClusterEngine:
    return rds.DatabaseClusterEngine.aurora_mysql(version=version)


BAD_PROPS = [
    (
        {"instance_class": "db.t4g.medium"},
        r"instance_class is 'db\.t4g\.medium'; allowed: 'db\.serverless' \(Aurora Serverless "
        r"v2\) or db\.r5",
    ),
    ({"instance_class": "db.t3.large"}, r"burstable db\.t\* are not supported"),
    ({"instance_class": 123}, r"instance_class is 123; allowed: a str, 'db\.serverless' or one"),
    ({"instance_class": "db.Serverless"}, r"instance_class is 'db\.Serverless'; allowed"),
    (
        {"instance_class": "db.serverless", "serverless_min_capacity": 0},
        r"serverless_min_capacity is 0; allowed: 0\.5 to 256 ACUs in steps of 0\.5 \(0 means "
        r"automatic pause, which clusters of an Aurora global database do not support\)",
    ),
    (
        {"instance_class": "db.serverless", "serverless_min_capacity": 0.25},
        r"serverless_min_capacity is 0\.25; allowed: 0\.5 to 256",
    ),
    (
        {"instance_class": "db.serverless", "serverless_min_capacity": 1.2},
        r"serverless_min_capacity is 1\.2; allowed: 0\.5 to 256 ACUs in steps of 0\.5",
    ),
    (
        {"instance_class": "db.serverless", "serverless_max_capacity": 257},
        r"serverless_max_capacity is 257; allowed: 1 to 256",
    ),
    (
        {"instance_class": "db.serverless", "serverless_max_capacity": 0.5},
        r"serverless_max_capacity is 0\.5; allowed: 1 to 256",
    ),
    (
        {"instance_class": "db.serverless", "serverless_min_capacity": "1"},
        r"serverless_min_capacity is '1'; allowed: a number",
    ),
    (
        {"instance_class": "db.serverless", "serverless_max_capacity": True},
        r"serverless_max_capacity is True; allowed: a number",
    ),
    (
        {
            "instance_class": "db.serverless",
            "serverless_min_capacity": 8,
            "serverless_max_capacity": 4,
        },
        r"serverless_max_capacity is 4, below serverless_min_capacity 8",
    ),
    (
        {"serverless_min_capacity": 0.5},
        r"serverless_min_capacity is 0\.5 with instance_class 'db\.r6g\.large'; allowed: None "
        r"unless instance_class is 'db\.serverless'",
    ),
    (
        {"instance_class": "db.r6g.large", "serverless_max_capacity": 4},
        r"serverless_max_capacity is 4 with instance_class 'db\.r6g\.large'",
    ),
    ({"customer_managed_key": "yes"}, r"customer_managed_key is 'yes'; allowed: True"),
    ({"instance_class": None}, r"instance_class is None; allowed: a str"),
    ({"instance_class": "db.m5.large"}, r"instance_class is 'db\.m5\.large'; allowed"),
    ({"instance_class": "db.r6g.medium"}, r"instance_class is 'db\.r6g\.medium'; allowed"),
    ({"instance_class": "r6g.large"}, r"instance_class is 'r6g\.large'; allowed"),
    ({"backup_retention": 0}, r"backup_retention is 0; allowed: 1 to 35 days"),
    ({"backup_retention": 36}, r"backup_retention is 36; allowed: 1 to 35 days"),
    ({"readers": -1}, r"readers is -1; allowed: 0 to 15"),
    ({"readers": 16}, r"readers is 16; allowed: 0 to 15"),
    ({"port": 80}, r"port is 80; allowed: 1150 to 65535"),
    ({"readers": 1.5}, r"readers is 1\.5; allowed: a whole number, 0 to 15"),
    ({"readers": True}, r"readers is True; allowed: a whole number, 0 to 15"),
    ({"backup_retention": "7"}, r"backup_retention is '7'; allowed: a whole number, 1 to 35 days"),
    ({"port": "5432"}, r"port is '5432'; allowed: a whole number, 1150 to 65535"),
    # 0 is a port like any other: refused, not silently replaced by the engine's default.
    ({"port": 0}, r"port is 0; allowed: 1150 to 65535"),
    (
        {"monitoring_interval_seconds": 2},
        r"monitoring_interval_seconds is 2; allowed: one of 0, 1, 5",
    ),
    ({"monitoring_interval_seconds": 120}, r"monitoring_interval_seconds is 120; allowed"),
    ({"monitoring_interval_seconds": -1}, r"monitoring_interval_seconds is -1; allowed"),
    ({"monitoring_interval_seconds": 1.5}, r"monitoring_interval_seconds is 1\.5; allowed"),
    ({"monitoring_interval_seconds": True}, r"monitoring_interval_seconds is True; allowed"),
    ({"monitoring_interval_seconds": "60"}, r"monitoring_interval_seconds is '60'; allowed"),
    ({"monitoring_interval_seconds": None}, r"monitoring_interval_seconds is None; allowed"),
    (
        {"engine": _postgres(rds.AuroraPostgresEngineVersion.VER_16_0)},
        r"engine version is aurora-postgresql 16\.0; allowed \(global database support\)",
    ),
    (
        {"engine": _postgres(rds.AuroraPostgresEngineVersion.VER_10_21)},
        r"engine version is aurora-postgresql 10\.21; allowed",
    ),
    (
        {"engine": _mysql(rds.AuroraMysqlEngineVersion.VER_2_11_2)},
        r"engine version is aurora-mysql 5\.7\.mysql_aurora\.2\.11\.2; allowed: Aurora MySQL 3",
    ),
    ({"global_cluster_identifier": "Refarch"}, r"global_cluster_identifier is 'Refarch'"),
    ({"global_cluster_identifier": "a--b"}, r"global_cluster_identifier is 'a--b'"),
    ({"global_cluster_identifier": "x" * 51}, r"allowed: 1 to 50 lowercase letters"),
]


@pytest.mark.fact("AUR-13", "AUR-26")
@pytest.mark.parametrize("construct", [AuroraGlobalPrimary, AuroraGlobalSecondary])
@pytest.mark.parametrize(("props", "message"), BAD_PROPS)
def test_bad_props_raise_a_clear_value_error(stack, required, construct, props, message):
    with pytest.raises(ValueError, match=message):
        construct(stack, "Database", **{**required, **props})


def test_rotation_days_outside_1_to_365_are_refused(stack, required):
    with pytest.raises(ValueError, match=r"rotation_days is 0; allowed: 1 to 365"):
        AuroraGlobalPrimary(stack, "Database", **required, rotation_days=0)


def test_rotation_days_must_be_a_whole_number_not_a_bool(stack, required):
    with pytest.raises(ValueError, match=r"rotation_days is True; allowed: a whole number, 1 to"):
        AuroraGlobalPrimary(stack, "Database", **required, rotation_days=True)


def test_a_token_monitoring_interval_is_refused_because_it_decides_whether_a_role_exists(
    stack, required
):
    interval = CfnParameter(stack, "Interval", type="Number").value_as_number
    for construct in (AuroraGlobalPrimary, AuroraGlobalSecondary):
        with pytest.raises(ValueError, match=r"monitoring_interval_seconds is a token; allowed"):
            construct(stack, construct.__name__, **required, monitoring_interval_seconds=interval)


# -- the primary's master user and database ----------------------------------------------------

ENGINES = {
    "postgres": _postgres(rds.AuroraPostgresEngineVersion.VER_16_9),
    "mysql": _mysql(rds.AuroraMysqlEngineVersion.VER_3_08_0),
}
RESERVED_EXAMPLES = sorted(RESERVED_USERNAMES) + [
    "Admin",
    "POSTGRES",
    "rds_replication",
    "RDSsomething",
    "pg_monitor",
    "Pg_Read_All_Data",
]


def test_admin_username_default_is_not_an_engine_default():
    assert DEFAULT_MASTER_USERNAME == "dbadmin"
    assert DEFAULT_MASTER_USERNAME not in {"postgres", "admin"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("username", RESERVED_EXAMPLES)
def test_reserved_master_usernames_are_refused_whatever_their_case(
    stack, required, engine, username
):
    assert {"rdsadmin", "rdsrepladmin", "rdsproxyadmin", "rdstopmgr", "rds_superuser"} <= (
        RESERVED_USERNAMES
    )
    assert {"postgres", "admin", "root", "mysql.sys"} <= RESERVED_USERNAMES
    with pytest.raises(
        ValueError, match=rf"master_username is '{username}', a name reserved .*allowed: 1 to"
    ):
        AuroraGlobalPrimary(
            stack, "Database", **required, engine=ENGINES[engine], master_username=username
        )


@pytest.mark.parametrize(
    ("engine", "longest"), [("postgres", 63), ("mysql", 16)], ids=["postgres", "mysql"]
)
def test_master_username_may_be_as_long_as_the_engine_allows_and_no_longer(
    stack, required, engine, longest
):
    AuroraGlobalPrimary(
        stack, "Longest", **required, engine=ENGINES[engine], master_username="u" * longest
    )
    with pytest.raises(
        ValueError, match=rf"master_username is 'u{{{longest + 1}}}'; allowed: 1 to {longest} "
    ):
        AuroraGlobalPrimary(
            stack,
            "TooLong",
            **required,
            engine=ENGINES[engine],
            master_username="u" * (longest + 1),
        )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("username", ["", "1admin", "_admin", "db-admin", "db admin", "dbädmin"])
def test_master_username_starts_with_a_letter_and_holds_letters_digits_underscores(
    stack, required, engine, username
):
    with pytest.raises(
        ValueError,
        match=rf"master_username is '{username}'; allowed: .*letters, digits and underscores, "
        "starting with a letter",
    ):
        AuroraGlobalPrimary(
            stack, "Database", **required, engine=ENGINES[engine], master_username=username
        )


@pytest.mark.parametrize("username", [None, 5])
def test_master_username_must_be_a_str(stack, required, username):
    with pytest.raises(ValueError, match=rf"master_username is {username!r}; allowed: 1 to 63"):
        AuroraGlobalPrimary(stack, "Database", **required, master_username=username)


def test_a_token_master_username_and_database_name_pass_unchecked(stack, required):
    AuroraGlobalPrimary(
        stack,
        "Database",
        **required,
        master_username=CfnParameter(stack, "User").value_as_string,
        database_name=CfnParameter(stack, "Name").value_as_string,
    )


@pytest.mark.parametrize(
    ("engine", "name", "message"),
    [
        ("postgres", "", r"database_name is ''; allowed: 1 to 63 letters, digits and underscores"),
        ("postgres", "my-app", r"database_name is 'my-app'; allowed: 1 to 63"),
        ("postgres", "1app", r"database_name is '1app'; allowed: .*starting with a letter"),
        ("postgres", "app db", r"database_name is 'app db'; allowed"),
        ("postgres", "d" * 64, r"database_name is 'd{64}'; allowed: 1 to 63"),
        ("postgres", None, r"database_name is None; allowed"),
        ("mysql", "", r"database_name is ''; allowed: 1 to 64 letters, digits and underscores"),
        ("mysql", "my-app", r"database_name is 'my-app'; allowed: 1 to 64"),
        ("mysql", "1app", r"database_name is '1app'; allowed"),
        ("mysql", "d" * 65, r"database_name is 'd{65}'; allowed: 1 to 64"),
    ]
    + [
        ("postgres", name, rf"database_name is '{name}', a database the engine or RDS keeps")
        for name in ("postgres", "template0", "template1", "rdsadmin", "Postgres")
    ]
    + [
        ("mysql", name, rf"database_name is '{name}', a database the engine or RDS keeps")
        for name in ("mysql", "information_schema", "performance_schema", "sys", "SYS")
    ],
)
def test_bad_database_names_are_refused(stack, required, engine, name, message):
    with pytest.raises(ValueError, match=message):
        AuroraGlobalPrimary(
            stack, "Database", **required, engine=ENGINES[engine], database_name=name
        )


@pytest.mark.parametrize(
    ("engine", "name"),
    [("postgres", "d" * 63), ("mysql", "d" * 64), ("postgres", "App_2"), ("mysql", "postgres")],
)
def test_database_names_within_the_engines_rule_are_accepted(stack, required, engine, name):
    AuroraGlobalPrimary(stack, "Database", **required, engine=ENGINES[engine], database_name=name)


PRIMARY_ONLY_BAD_PROPS = [
    {"master_username": "postgres"},
    {"database_name": "my-app"},
    {"rotation_days": True},
]


@pytest.mark.parametrize(
    ("construct", "props"),
    [(AuroraGlobalPrimary, props) for props, _ in BAD_PROPS]
    + [(AuroraGlobalSecondary, props) for props, _ in BAD_PROPS]
    + [(AuroraGlobalPrimary, props) for props in PRIMARY_ONLY_BAD_PROPS],
    ids=lambda value: value.__name__ if isinstance(value, type) else str(value)[:40],
)
def test_bad_props_are_refused_before_any_resource_is_created(stack, required, construct, props):
    with pytest.raises(ValueError):
        construct(stack, "Database", **{**required, **props})
    database = stack.node.try_find_child("Database")
    assert database is None or database.node.children == []


ELEVEN_REAL_REGIONS = [
    "us-west-2",
    "us-east-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
]


@pytest.mark.fact("AUR-06")
@pytest.mark.parametrize(
    ("primary", "secondaries", "message"),
    [
        (
            "us-east-1",
            ["us-east-1"],
            r"secondary_regions is \['us-east-1'\]; allowed: regions other than the primary",
        ),
        (
            "us-east-1",
            ["us-west-2", "eu-west-1", "us-west-2"],
            r"allowed: each region once \(duplicated: us-west-2\)",
        ),
        (
            "us-east-1",
            ELEVEN_REAL_REGIONS,
            r"secondary_regions has 11 regions; allowed: 0 to 10 secondary regions",
        ),
    ],
)
def test_bad_region_sets_raise_a_clear_value_error(primary, secondaries, message):
    with pytest.raises(ValueError, match=message):
        validate_regions(primary, secondaries)


@pytest.mark.parametrize(
    ("primary", "secondaries", "message"),
    [
        ("US-EAST-1", ["us-west-2"], r"primary_region is 'US-EAST-1'; allowed: an AWS region"),
        ("us-east-9", ["us-west-2"], r"primary_region is 'us-east-9'; allowed: an AWS region"),
        (None, ["us-west-2"], r"primary_region is None; allowed: an AWS region"),
        ("us-east-1", ["oregon"], r"secondary_regions\[0\] is 'oregon'; allowed: an AWS region"),
        # Well-formed, and no such region: the old pattern check let these through.
        (
            "us-east-1",
            ["us-west-2", "eu-west-7"],
            r"secondary_regions\[1\] is 'eu-west-7'; allowed: an AWS region such as 'us-east-1' "
            r"\(one of the \d+ this aws-cdk-lib knows\)",
        ),
        ("us-east-1", ["mars-north-1"], r"secondary_regions\[0\] is 'mars-north-1'"),
    ],
)
def test_a_region_that_does_not_exist_is_refused(primary, secondaries, message):
    with pytest.raises(ValueError, match=message):
        validate_regions(primary, secondaries)


@pytest.mark.parametrize(
    ("secondaries", "message"),
    [
        ("us-west-2", r"secondary_regions is 'us-west-2'; allowed: a list of AWS region names"),
        ("us-west-2,eu-west-1", r"secondary_regions is 'us-west-2,eu-west-1'; allowed: a list"),
        (None, r"secondary_regions is None; allowed: a list of AWS region names"),
        (["us-west-2", 7], r"secondary_regions contains 7; allowed: a list of AWS region names"),
    ],
)
def test_a_str_or_other_non_list_of_secondary_regions_is_refused(secondaries, message):
    with pytest.raises(ValueError, match=message):
        validate_regions("us-east-1", secondaries)


@pytest.mark.parametrize(
    ("primary", "secondaries", "outside"),
    [
        ("us-east-1", ["us-gov-west-1"], "us-gov-west-1"),
        ("us-gov-east-1", ["us-gov-west-1", "us-west-2"], "us-west-2"),
        ("cn-north-1", ["eu-west-1"], "eu-west-1"),
    ],
)
def test_a_region_set_spanning_partitions_is_refused(primary, secondaries, outside):
    with pytest.raises(
        ValueError, match=rf"secondary_regions contains {outside}, outside the primary region's"
    ):
        validate_regions(primary, secondaries)


@pytest.mark.fact("AUR-06")
def test_ten_secondary_regions_are_accepted_not_just_the_notes_five():
    validate_regions("us-east-1", ELEVEN_REAL_REGIONS[:10])
    validate_regions("us-east-1", tuple(ELEVEN_REAL_REGIONS[:10]))
    validate_regions("us-gov-west-1", ["us-gov-east-1"])
    validate_regions("cn-north-1", ["cn-northwest-1"])


def test_token_regions_pass_unchecked():
    stack = Stack(App(), "Tokens")
    region = CfnParameter(stack, "Region").value_as_string
    validate_regions(region, ["us-west-2"])
    validate_regions("us-east-1", [region])


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({SECONDARY_REGIONS_CONTEXT_KEY: "us-west-2, us-west-2"}, r"duplicated: us-west-2"),
        ({SECONDARY_REGIONS_CONTEXT_KEY: "us-west-2,eu-wets-1"}, r"\[1\] is 'eu-wets-1'"),
        ({PRIMARY_REGION_CONTEXT_KEY: "us-east-7"}, r"primary_region is 'us-east-7'"),
    ],
)
def test_context_regions_are_validated_before_any_stack_is_created(context, message):
    app = App(context=context)
    with pytest.raises(ValueError, match=message):
        add_aurora_global_stacks(app, profile=profile_named("sandbox"), account="123456789012")
    assert app.node.children == []
