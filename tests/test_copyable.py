""" "Copy one construct file into your project" is proven: each module works alone.

Each module in constructs_lib/ may import only the standard library, aws_cdk and constructs;
copied (with its ``<module>_runtime/`` folder, if any) into an empty folder, it is imported
there without this repository on the path and synthesized with the example usage below.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import BACKGROUND_COPIES, ROOT

LIBRARY = ROOT / "constructs_lib"
ALLOWED_TOP_LEVEL = {"aws_cdk", "constructs", "__future__"}

# The smallest honest use of each module: what a reader would paste after copying the file.
EXAMPLES = {
    "aurora_global": (
        "aurora_global.AuroraGlobalPrimary(stack, 'Example', global_cluster_identifier='example', "
        "vpc=(vpc := ec2.Vpc(stack, 'Vpc', subnet_configuration=["
        "ec2.SubnetConfiguration(name='Public', subnet_type=ec2.SubnetType.PUBLIC), "
        "ec2.SubnetConfiguration(name='App', subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS), "
        "ec2.SubnetConfiguration(name='Data', subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])), "
        "security_group=ec2.SecurityGroup(stack, 'Db', vpc=vpc))"
    ),
    "data_protection": "data_protection.ProtectedBucket(stack, 'Example')",
    "dns_records": (
        "dns_records.DnsRecords(stack, 'Example', zone_name='whatisthetime.internal', "
        "vpc=ec2.Vpc(stack, 'Vpc'), addresses=['10.0.1.10', '10.0.2.10'])"
    ),
    "fan_out": "fan_out.FanOut(stack, 'Example', subscribers=[fan_out.Subscriber(name='all')])",
    "fixed_fleet": "fixed_fleet.FixedFleet(stack, 'Example', vpc=ec2.Vpc(stack, 'Vpc'))",
    "network": "network.ThreeTierNetwork(stack, 'Example')",
    "queue_worker": "queue_worker.QueueWorker(stack, 'Example')",
    "relational_database": (
        "relational_database.RelationalDatabase(stack, 'Example', vpc=ec2.Vpc(stack, 'Vpc'), "
        "subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS))"
    ),
    "serverless_api": "serverless_api.ServerlessApi(stack, 'Example')",
    "session_store": "session_store.SessionStore(stack, 'Example')",
    "shared_file_system": (
        "shared_file_system.SharedFileSystem(stack, 'Example', vpc=ec2.Vpc(stack, 'Vpc', "
        "subnet_configuration=[ec2.SubnetConfiguration(name='Data', "
        "subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)]))"
    ),
    "stack_lease": "stack_lease.StackLease(stack, 'Example', hours=24)",
    "static_site": "static_site.StaticSite(stack, 'Example')",
    "streaming_ingestion": "streaming_ingestion.StreamingIngestion(stack, 'Example')",
    "web_tier": "web_tier.WebTier(stack, 'Example', vpc=ec2.Vpc(stack, 'Vpc'))",
}


_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-12345678901"
_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:example"
_PUBLIC_KEY = (ROOT / "tests" / "static_site" / "test_only_signing_key.pub.pem").read_text()

# The options no profile uses (the facts index's ``options:`` templates), together, in a copy:
# what a reader who copies the file for them would write. Run on both aws-cdk-lib versions.
OPTION_EXAMPLES = {
    "network": (
        "network.ThreeTierNetwork(stack, 'Options', network_acls=True, "
        "blocked_cidrs=['198.51.100.0/24'], ssh_cidr='203.0.113.7/32', app_subnet_hosts=29, "
        "bastion_high_availability=True)"
    ),
    "web_tier": (
        "web_tier.WebTier(stack, 'Options', vpc=ec2.Vpc(stack, 'Vpc'), "
        f"certificate_arn='{_CERT}1', "
        "additional_certificates=[acm.Certificate.from_certificate_arn(stack, 'Sni', "
        f"'{_CERT}2')], "
        "ip_targets=['10.0.200.10'], "
        f"lambda_target=lambda_.Function.from_function_arn(stack, 'Fn', '{_FUNCTION}'), "
        "routing_rules=[web_tier.RoutingRule(priority=10, path_patterns=['/api/*'], "
        "forward_to='lambda_target'), web_tier.RoutingRule(priority=20, "
        "host_headers=['legacy.example.com'], source_ips=['10.0.0.0/8'], "
        "forward_to='ip_targets')], cpu_step_scaling=(30, 70), "
        "predictive_scaling='forecast_only', cross_zone=False)"
    ),
    "serverless_api": (
        "serverless_api.ServerlessApi(stack, 'Options', sort_key='sk', auth_mode='lambda', "
        f"authorizer_function=lambda_.Function.from_function_arn(stack, 'Fn', '{_FUNCTION}'), "
        "usage_plan=serverless_api.UsagePlanSettings(), cache_size_gb='0.5', "
        "global_secondary_indexes=[serverless_api.SecondaryIndex(name='byOwner', "
        "partition_key='owner')], local_secondary_indexes=[serverless_api.SecondaryIndex("
        "name='byDate', sort_key='date')])"
    ),
    "static_site": (
        "static_site.StaticSite(stack, 'Options', path_cache_ttls={'/assets/*': "
        "Duration.days(365)}, signed_paths=['/private/*'], "
        f"signing_public_key_pem={_PUBLIC_KEY!r})"
    ),
    "data_protection": (
        "data_protection.ProtectedBucket(stack, 'Options', glacier_storage='deep_archive', "
        "glacier_after=Duration.days(180), bucket_name='copied-protected-options', "
        "replication_destination=aws_s3.Bucket.from_bucket_name(stack, 'Replica', "
        "'copied-replica'), replicate_delete_markers=True)"
    ),
    "queue_worker": (
        "queue_worker.QueueWorker(stack, 'Options', consumer='instances', "
        "vpc=ec2.Vpc(stack, 'Vpc'), batch_size=5, min_capacity=1, max_capacity=3, "
        "processing_time=Duration.seconds(20), acceptable_latency=Duration.minutes(10))"
    ),
    "fan_out": (
        "fan_out.FanOut(stack, 'Options', subscribers=[fan_out.Subscriber(name='images', "
        "filter_on='body', filter_policy={'Records': {'s3': {'object': {'key': "
        "[{'suffix': '.jpg'}]}}}}, raw_message_delivery=True, max_receive_count=5, "
        "visibility_timeout=Duration.minutes(2)), fan_out.Subscriber(name='orders', "
        "filter_policy={'event_type': ['order_placed']})], create_bucket=True, "
        "bucket_prefix='uploads/', bucket_expiration=Duration.days(30), "
        "message_retention=Duration.days(7))"
    ),
    "streaming_ingestion": (
        "streaming_ingestion.StreamingIngestion(stack, 'Options', stream_mode='on_demand', "
        "retention=Duration.days(7), encryption_key=kms.Key(stack, 'Key', "
        "enable_key_rotation=True), buffer_interval=Duration.seconds(0), "
        "compression='HADOOP_SNAPPY', columns=[('id', 'string'), ('tags', 'array<string>')], "
        "query_scan_limit_mb=None, data_expire_after=Duration.days(90))"
    ),
    "fixed_fleet": (
        "fixed_fleet.FixedFleet(stack, 'Options', vpc=ec2.Vpc(stack, 'Vpc'), count=3, "
        "public=False, load_balancer=True, instance_type='t3.micro', app_port=8080, "
        "detailed_monitoring=True, termination_protection=True, "
        "access_log_expiration=Duration.days(90))"
    ),
    "dns_records": (
        "dns_records.DnsRecords(stack, 'Options', zone_name='whatisthetime.example.com', "
        "public=True, record_name='www', addresses=[ec2.CfnEIP(stack, 'Ip1').ref, "
        "ec2.CfnEIP(stack, 'Ip2').ref], ttl=Duration.seconds(60), health_checks=True, "
        "health_check_port=8080, health_check_path='/ping')"
    ),
    "relational_database": (
        "relational_database.RelationalDatabase(stack, 'Options', engine='mysql', "
        "read_replicas=2, multi_az=False, max_allocated_storage_gib=None, "
        "backup_retention=Duration.days(1), deletion_protection=False, "
        "vpc=ec2.Vpc(stack, 'Vpc'), "
        "subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS))"
    ),
    "session_store": (
        "session_store.SessionStore(stack, 'Options', engine='valkey', "
        "vpc=(vpc := ec2.Vpc(stack, 'Vpc')), "
        "subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS), "
        "replicas=2, port=6390, snapshot_retention_days=7, "
        "encryption_key=kms.Key(stack, 'Key', enable_key_rotation=True), "
        "allow_from=[ec2.SecurityGroup(stack, 'Web', vpc=vpc)])"
    ),
    "shared_file_system": (
        "shared_file_system.SharedFileSystem(stack, 'Options', vpc=(vpc := ec2.Vpc(stack, "
        "'Vpc')), subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS), "
        "allow_from=[ec2.SecurityGroup(stack, 'Web', vpc=vpc)], transition_to_ia_days=7, "
        "transition_to_archive_days=60, encryption_key=kms.Key(stack, 'Key', "
        "enable_key_rotation=True), access_point_path=None, iam_authorization=False, "
        "automatic_backups=False)"
    ),
}


# What each options example must add (it is not the defaults again).
OPTION_RESOURCES = {
    "network": "AWS::EC2::NetworkAclEntry",
    "web_tier": "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "serverless_api": "AWS::ApiGateway::UsagePlan",
    "static_site": "AWS::CloudFront::KeyGroup",
    "data_protection": "AWS::IAM::Role",
    "queue_worker": "AWS::AutoScaling::ScalingPolicy",
    "fan_out": "Custom::S3BucketNotifications",
    "streaming_ingestion": "AWS::KMS::Key",
    "fixed_fleet": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "dns_records": "AWS::Route53::HealthCheck",
    "session_store": "AWS::ElastiCache::ReplicationGroup",
    "relational_database": "AWS::RDS::DBParameterGroup",
    "shared_file_system": "AWS::KMS::Key",
}


def construct_modules() -> list[str]:
    return sorted(p.stem for p in LIBRARY.glob("*.py") if not p.name.startswith("_"))


def imported_top_level_names(module: str) -> set[str]:
    tree = ast.parse((LIBRARY / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("." * node.level + (node.module or ""))
            else:
                names.add(node.module.split(".")[0])
    return names


def test_every_construct_module_has_a_copy_example():
    assert construct_modules() and set(construct_modules()) == set(EXAMPLES)
    assert set(OPTION_EXAMPLES) <= set(EXAMPLES)
    assert set(OPTION_RESOURCES) == set(OPTION_EXAMPLES)


@pytest.mark.parametrize("module", construct_modules())
def test_construct_module_imports_only_stdlib_aws_cdk_and_constructs(module):
    foreign = {
        name
        for name in imported_top_level_names(module)
        if name not in ALLOWED_TOP_LEVEL and name not in sys.stdlib_module_names
    }
    assert foreign == set(), f"{module}.py imports {foreign}: take them as props instead"


_RUNNER = textwrap.dedent(
    """
    import importlib, json, sys
    from aws_cdk import App, Duration, Environment, Stack
    from aws_cdk import aws_certificatemanager as acm
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_s3
    results = {}
    for label, module, folder, example in json.loads(sys.argv[1]):
        sys.path.insert(0, folder)
        mod = importlib.import_module(module)
        assert mod.__file__.startswith(folder), mod.__file__
        name = "CopyOf" + module.title().replace("_", "")
        # As the README's example pins it, and as `cdk init` writes it: no env at all.
        for kind, env in (
            ("pinned", Environment(account="123456789012", region="us-east-1")),
            ("agnostic", None),
        ):
            app = App()
            stack = Stack(app, name, env=env)
            names = {module: mod, "stack": stack, "ec2": ec2, "acm": acm, "lambda_": lambda_}
            names.update(kms=kms, aws_s3=aws_s3)
            eval(example, {**names, "Duration": Duration})
            template = app.synth().get_stack_by_name(stack.stack_name).template
            types = sorted({r["Type"] for r in template["Resources"].values()})
            results[f"{label}/{kind}"] = types
        sys.path.remove(folder)
    print(json.dumps(results))
    """
)


def copy_jobs(tmp_path) -> list[tuple[str, str, str, str]]:
    """Each module copied alone (with its runtime folder) into a folder of its own, with its
    example and, where it has one, its options example: (label, module, folder, example)."""
    jobs = []
    for module in construct_modules():
        folder = tmp_path / module
        folder.mkdir()
        shutil.copy(LIBRARY / f"{module}.py", folder)
        runtime = LIBRARY / f"{module}_runtime"
        if runtime.is_dir():
            shutil.copytree(runtime, folder / runtime.name)
        jobs.append((module, module, str(folder), EXAMPLES[module]))
        if module in OPTION_EXAMPLES:
            jobs.append((f"{module}+options", module, str(folder), OPTION_EXAMPLES[module]))
    return jobs


def start_copies(python: str, tmp_path) -> subprocess.Popen:
    """Every module copied alone into ``tmp_path``, then synthesized with ``python`` in
    isolated mode, in a process of its own (``finish_copies`` collects it)."""
    return subprocess.Popen(
        [python, "-I", "-c", _RUNNER, json.dumps(copy_jobs(tmp_path))],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_copies(process: subprocess.Popen) -> dict[str, list[str]]:
    """The resource types by ``module/env`` that a started copy run synthesized."""
    try:
        out, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def run_copies(python: str, tmp_path, started: subprocess.Popen | None = None) -> dict:
    """The copies' resource types: from the run conftest.py started in the background at the
    session's start when there is one, else from a run started now."""
    return finish_copies(started or start_copies(python, tmp_path))


def assert_every_copy_synthesized(types: dict[str, list[str]]) -> None:
    labels = [*construct_modules(), *(f"{module}+options" for module in OPTION_EXAMPLES)]
    expected = {f"{label}/{kind}" for label in labels for kind in KINDS}
    assert set(types) == expected
    assert all(types.values()), types
    for module, resource_type in OPTION_RESOURCES.items():
        for kind in KINDS:
            assert resource_type in types[f"{module}+options/{kind}"], (module, kind)
    # The copy runs in a bare App: none of this repository's cdk.json feature flags apply, so a
    # module must not lean on them for what matters (launch templates, not configurations).
    assert not any("AWS::AutoScaling::LaunchConfiguration" in t for t in types.values()), types


KINDS = ("pinned", "agnostic")


@pytest.mark.copy
def test_each_construct_module_synthesizes_when_copied_alone(request, tmp_path):
    """With its defaults, in a stack pinned to an environment and in an agnostic one."""
    started = request.config.stash.get(BACKGROUND_COPIES, {}).pop("current", None)
    assert_every_copy_synthesized(run_copies(sys.executable, tmp_path, started))


@pytest.mark.copy
def test_each_construct_module_works_on_the_oldest_aws_cdk_lib_the_readme_states(request, tmp_path):
    """The README's "aws-cdk-lib X.Y.Z or newer", proven in its own environment."""
    from tools.oldest import OLDEST_VENV, oldest_aws_cdk_lib

    version = oldest_aws_cdk_lib()
    assert f"aws-cdk-lib {version} or newer" in (ROOT / "README.md").read_text()
    python = OLDEST_VENV / "bin" / "python"
    assert python.is_file(), (
        f"no {OLDEST_VENV}: run `make test` (it installs aws-cdk-lib {version})"
    )
    installed = subprocess.run(
        [str(python), "-m", "pip", "show", "aws-cdk-lib"], capture_output=True, text=True
    ).stdout
    assert f"Version: {version}\n" in installed
    started = request.config.stash.get(BACKGROUND_COPIES, {}).pop("oldest", None)
    assert_every_copy_synthesized(run_copies(str(python), tmp_path, started))
