"""The architecture pictures: current, drawn from the templates' real relations, and readable.

Descriptions (Graphviz DOT built by ``diagrams``) are compared, not pixels, so no test needs
Graphviz; each committed PNG carries the SHA-256 of the description it was rendered from.
"""

from __future__ import annotations

import re

import pytest

from tests.tools.queries import az_of, edges, nodes
from tools import pictures
from tools.synthesis import ROOT
from tools.topology import INTERNET, VPC, Topology, topology

PICTURES = ROOT / "docs" / "pictures"


def _picture(found, name: str) -> pictures.Picture:
    return next(p for p in found if p.name == name)


# -- current ----------------------------------------------------------------------------------
def test_committed_pictures_are_the_ones_the_templates_draw(found_pictures):
    problems = pictures.stale(found_pictures, PICTURES)
    assert problems == [], f"{problems}; run `make docs` (needs Graphviz)"


def test_every_stack_of_both_profiles_is_drawn_once_per_distinct_drawing(profiles, found_pictures):
    for profile, templates in profiles.templates.items():
        for stack in templates:
            covering = [p for p in found_pictures if p.stack == stack and profile in p.profiles]
            assert len(covering) == 1, (stack, profile, [p.name for p in covering])
    # where one picture stands for both profiles, both really draw the same
    for picture in found_pictures:
        if len(picture.profiles) == 2:
            drawn = {
                pictures._drawing(
                    topology(
                        profiles.templates[p][picture.stack],
                        stack=picture.stack,
                        region=profiles.regions[p][picture.stack],
                    )
                )
                for p in picture.profiles
            }
            assert len(drawn) == 1, picture.name


def test_descriptions_are_machine_independent_and_deterministic(profiles, found_pictures):
    for picture in found_pictures:
        assert str(pictures.ICONS) not in picture.description
        assert re.search(r'image="(?!<diagrams-resources>/)', picture.description) is None
    again = pictures.pictures(profiles.templates, profiles.regions, profiles.shared)
    assert [p.description for p in again] == [p.description for p in found_pictures]


def test_committed_pictures_are_readable_not_strips():
    for png in sorted(PICTURES.glob("*.png")):
        width, height = pictures.png_size(png.read_bytes())
        assert 1 / 3 <= width / height <= 3, (png.name, width, height)
        assert width <= 5000 and height <= 5000, (png.name, width, height)


def test_a_stale_description_or_a_png_from_another_description_is_reported(tmp_path):
    topo = Topology(title="t")
    description = pictures.describe(topo)
    picture = pictures.Picture("X", "X", ("sandbox",), description, topo)
    assert pictures.stale([picture], tmp_path) == [
        "X.dot: description differs from the templates",
        "X.png: missing",
    ]
    (tmp_path / "X.dot").write_text(description)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    (tmp_path / "X.png").write_bytes(pictures.stamp(png, "another description"))
    assert pictures.stale([picture], tmp_path) == [
        "X.png: not rendered from the current description"
    ]
    (tmp_path / "X.png").write_bytes(pictures.stamp(png, description))
    (tmp_path / "Gone.dot").write_text("")
    assert pictures.stale([picture], tmp_path) == ["Gone.dot: no stack draws it any more"]
    assert pictures.stamped_digest(pictures.stamp(png, description)) == pictures.digest(description)


# -- what the pictures must show ------------------------------------------------------------------
@pytest.mark.parametrize("name,azs", [("Network-sandbox", 2), ("Network-production", 3)])
def test_network_draws_an_az_column_per_az_a_subnet_per_tier_and_no_empty_box(
    found_pictures, name, azs
):
    topo = _picture(found_pictures, name).topology
    az_boxes = [c for c in topo.clusters.values() if c.kind == "az"]
    assert len(az_boxes) == azs
    subnets = [c for c in topo.clusters.values() if c.kind == "subnet"]
    assert len(subnets) == 3 * azs
    for az in az_boxes:
        tiers = sorted(c.label.split(" subnet")[0] for c in subnets if c.parent == az.id)
        assert tiers == ["Application", "Data", "Public"], az.label
    for subnet in subnets:
        inside = [n for n in topo.nodes.values() if n.parent == subnet.id]
        assert any(n.label.startswith("route table") for n in inside), subnet.label


def test_production_application_subnets_route_to_the_nat_gateway_in_their_own_az(found_pictures):
    topo = _picture(found_pictures, "Network-production").topology
    routes = edges(topo, "route table", "NAT gateway", kind="route")
    assert len(routes) == 3
    for src, dst, label in routes:
        assert label == "0.0.0.0/0"
        assert az_of(topo, src) == az_of(topo, dst)
    data_tables = [
        n
        for n in topo.nodes.values()
        if n.label.startswith("route table") and "(isolated)" in topo.clusters[n.parent].label
    ]
    assert data_tables and all("no internet route" in n.label for n in data_tables)
    assert not {e for e in topo.edges if e.src in {n.id for n in data_tables} and e.kind == "route"}


def test_network_draws_the_ssh_and_database_chain_between_its_tier_groups(found_pictures):
    topo = _picture(found_pictures, "Network-sandbox").topology
    assert {label for *_, label in edges(topo, "BastionHost", "security group")} == {"tcp 22"}
    assert {label for *_, label in edges(topo, "security group", "security group")} == {"tcp 5432"}
    assert topo.nodes[INTERNET].parent is None


@pytest.mark.parametrize("profile,port", [("sandbox", "tcp 80"), ("production", "tcp 443")])
def test_web_tier_internet_reaches_only_the_alb_and_the_alb_each_az_instances(
    found_pictures, profile, port
):
    topo = _picture(found_pictures, f"WebTier-{profile}").topology
    alb = nodes(topo, "Application Load Balancer")
    assert len(alb) == 1 and topo.nodes[alb[0]].parent == VPC
    from_internet = {(e.dst, e.label) for e in topo.edges if e.src == INTERNET and e.kind == "rule"}
    assert (alb[0], port) in from_internet
    assert {dst for dst, _ in from_internet} == {alb[0]}
    instances = nodes(topo, "EC2 instances\n(Auto Scaling group)")
    azs = {az_of(topo, n) for n in instances}
    assert len(instances) == len(azs) == (2 if profile == "sandbox" else 3)
    for instance in instances:
        assert (alb[0], instance, "tcp 80") in edges(topo, "Application", "EC2 instances", "rule")
        assert any(e.dst == instance and e.label.startswith("forwards HTTP 80") for e in topo.edges)
    # the bastion reaches the instances of every AZ, not just its own
    ssh = edges(topo, "BastionHost", "EC2 instances", "rule")
    assert {dst for _, dst, _ in ssh} == set(instances)
    assert {label for *_, label in ssh} == {"tcp 22"}


def test_aurora_draws_rotation_and_secret_as_what_they_are_and_no_bastion(found_pictures):
    for name in ("AuroraGlobalPrimary-sandbox", "AuroraGlobalPrimary-production"):
        topo = _picture(found_pictures, name).topology
        assert not nodes(topo, "BastionHost")
        assert all(e.label != "tcp 22" for e in topo.edges), name
        secret = set(nodes(topo, "Secrets Manager secret"))
        assert secret
        # the secret is not a network endpoint: no security-group rule starts or ends there
        assert not [e for e in topo.edges if e.kind == "rule" and {e.src, e.dst} & secret]
        assert edges(topo, "Rotation function", "Secrets Manager secret", "control")
        assert {label for *_, label in edges(topo, "Rotation function", "Aurora cluster")} == {
            "tcp 5432"
        }
        assert edges(topo, "Aurora cluster", "Aurora global database", "control")
    sandbox = _picture(found_pictures, "AuroraGlobalPrimary-sandbox").topology
    endpoint = nodes(sandbox, "Interface endpoint: secretsmanager")
    assert len(endpoint) == 1 and az_of(sandbox, endpoint[0])  # one AZ, inside its subnet
    assert {label for *_, label in edges(sandbox, "Rotation function", "Interface endpoint")} == {
        "tcp 443"
    }


def test_aurora_secondary_joins_the_primary_global_database_read_only(found_pictures):
    topo = _picture(found_pictures, "AuroraGlobalSecondary-us-west-2-sandbox").topology
    assert topo.clusters["region"].label == "Region us-west-2"
    labels = {label for *_, label in edges(topo, "Aurora cluster", "Aurora global database")}
    assert labels == {"member (secondary region, read-only)"}


def test_static_site_pictures_show_the_oai_or_the_oac_between_cloudfront_and_bucket(
    found_pictures,
):
    oai = _picture(found_pictures, "StaticSite-sandbox").topology
    oac = _picture(found_pictures, "StaticSiteOac-sandbox").topology
    assert edges(oai, "CloudFront distribution", "origin access identity")
    assert {label for *_, label in edges(oai, "origin access identity", "S3 bucket")} == {
        "s3:GetObject (bucket policy: this OAI)"
    }
    assert not nodes(oai, "origin access control")
    assert edges(oac, "CloudFront distribution", "origin access control")
    grants = {label for *_, label in edges(oac, "origin access control", "S3 bucket")}
    assert grants == {"s3:GetObject (bucket policy: CloudFront,\nSourceArn = this distribution)"}
    assert not nodes(oac, "origin access identity")
    assert "sigv4 signing: always" in topo_label(oac, "origin access control")
    assert (
        _picture(found_pictures, "StaticSite-sandbox").description
        != _picture(found_pictures, "StaticSiteOac-sandbox").description
    )


def topo_label(topo: Topology, prefix: str) -> str:
    return topo.nodes[nodes(topo, prefix)[0]].label


def test_serverless_api_draws_the_request_path_from_internet_to_table(found_pictures):
    topo = _picture(found_pictures, "ServerlessApi").topology
    assert {label for *_, label in edges(topo, "Internet", "API Gateway")} == {"HTTPS, AWS_IAM"}
    assert {label for *_, label in edges(topo, "API Gateway", "Lambda")} == {"invokes (AWS_PROXY)"}
    assert {label for *_, label in edges(topo, "Lambda", "DynamoDB table")} == {"reads/writes"}
    assert not [c for c in topo.clusters.values() if c.kind == "vpc"]


def test_composition_draws_what_each_stack_reads_from_the_shared_network(found_pictures):
    topo = _picture(found_pictures, pictures.COMPOSITION).topology
    web = edges(topo, "WebTier", "Network\n")
    assert len(web) == 1
    ((_, _, label),) = web
    assert "VPC" in label and "2 Public subnets" in label and "2 Application subnets" in label
    west = edges(topo, "AuroraGlobalSecondary-us-west-2", "Network-us-west-2")
    assert west and "2 Data subnets" in next(iter(west))[2]
    joins = edges(topo, "AuroraGlobalSecondary-us-west-2", "AuroraGlobalPrimary", "control")
    assert joins and next(iter(joins))[2].startswith("joins its Aurora global database")


def _drawing_of(found, stack: str, profile: str) -> Topology:
    return next(p for p in found if p.stack == stack and profile in p.profiles).topology


def test_what_is_the_time_v3_draws_an_elastic_ip_on_each_instance(found_pictures):
    topo = _drawing_of(found_pictures, "WhatIsTheTimeV3", "sandbox")
    eips = edges(topo, "Elastic IP", "Instance", "traffic")
    assert len(eips) == len(nodes(topo, "Instance")) == 2
    assert {dst for _, dst, _ in eips} == set(nodes(topo, "Instance"))


def test_what_is_the_time_v4_record_answers_with_each_instance_s_own_address(found_pictures):
    topo = _drawing_of(found_pictures, "WhatIsTheTimeV4", "sandbox")
    assert not nodes(topo, "Elastic IP")
    answers = edges(topo, "Route 53 A record", "Instance", "traffic")
    assert {dst for _, dst, _ in answers} == set(nodes(topo, "Instance"))
    assert edges(topo, "Route 53 hosted zone", "Route 53 A record", "control")
    (record,) = nodes(topo, "Route 53 A record")
    assert topo.nodes[record].label.endswith("TTL 3600 s")
    assert all("auto-assigned" in topo.nodes[n].label for n in nodes(topo, "Instance"))


def test_my_clothes_v5_chains_alb_instances_database_and_grants_the_session_table(found_pictures):
    topo = _drawing_of(found_pictures, "MyClothesV5", "sandbox")
    instances = set(nodes(topo, "EC2 instances"))
    sessions = edges(topo, "EC2 instances", "DynamoDB table", "traffic")
    assert {src for src, _, _ in sessions} == instances
    assert {label for *_, label in sessions} == {"reads/writes (IAM grant)"}
    (database,) = nodes(topo, "Aurora cluster")
    assert {src for src, dst, label in edges(topo, "EC2 instances", "Aurora", "rule")} == instances
    assert {label for *_, label in edges(topo, "EC2 instances", "Aurora", "rule")} == {"tcp 5432"}
    assert "read by the instances (IAM grant)" in topo.nodes[database].label
    assert "pauses at 0 ACU when idle" in topo.nodes[database].label


def test_my_word_press_instances_mount_efs_through_their_own_az_s_mount_target(found_pictures):
    for profile in ("sandbox", "production"):
        topo = _drawing_of(found_pictures, "MyWordPress", profile)
        targets = nodes(topo, "EFS mount target")
        assert (
            len(targets)
            == len({az_of(topo, t) for t in targets})
            == (2 if profile == "sandbox" else 3)
        )
        mounts = edges(topo, "EC2 instances", "EFS mount target", "traffic")
        assert len(mounts) == len(targets)
        assert all(az_of(topo, src) == az_of(topo, dst) for src, dst, _ in mounts)
        assert {label for *_, label in edges(topo, "EC2 instances", "EFS", "rule")} == {"tcp 2049"}
        (fs,) = nodes(topo, "EFS file system")
        assert topo.nodes[fs].parent == "region"


# -- the topology rules on hand-written templates -------------------------------------------------
def _subnet(az: str, tier: str, cidr: str) -> dict:
    return {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "AvailabilityZone": az,
            "CidrBlock": cidr,
            "Tags": [
                {"Key": "aws-cdk:subnet-name", "Value": tier},
                {"Key": "aws-cdk:subnet-type", "Value": "Private"},
            ],
        },
    }


def test_a_group_spanning_azs_is_drawn_per_az_and_rules_from_a_cidr_name_the_cidr():
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
            "A": _subnet("eu-west-1a", "App", "10.1.0.0/24"),
            "B": _subnet("eu-west-1b", "App", "10.1.1.0/24"),
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "app",
                    "SecurityGroupIngress": [
                        {
                            "CidrIp": "192.0.2.0/24",
                            "IpProtocol": "tcp",
                            "FromPort": 8080,
                            "ToPort": 8081,
                        }
                    ],
                },
            },
            "Lt": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {
                    "LaunchTemplateData": {
                        "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
                        "InstanceType": "t3.micro",
                    }
                },
            },
            "Asg": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "2",
                    "MaxSize": "4",
                    "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}},
                    "VPCZoneIdentifier": [{"Ref": "A"}, {"Ref": "B"}],
                },
            },
        }
    }
    topo = topology(template, stack="S", region="eu-west-1")
    instances = nodes(topo, "EC2 instances")
    assert len(instances) == 2
    assert {az_of(topo, n) for n in instances} == {
        "Availability Zone eu-west-1a",
        "Availability Zone eu-west-1b",
    }
    assert "min 2, max 4, t3.micro" in topo.nodes[instances[0]].label
    rules = edges(topo, "clients in 192.0.2.0/24", "EC2 instances", "rule")
    assert {label for *_, label in rules} == {"tcp 8080-8081"}
    assert {dst for _, dst, _ in rules} == set(instances)
    assert topo.clusters["vpc"].label == "VPC (CIDR 10.1.0.0/16)"


def test_unknown_types_are_drawn_generically_and_plumbing_is_counted_not_drawn():
    template = {
        "Resources": {
            "Thing": {"Type": "AWS::Example::Widget", "Properties": {}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": {"Ref": "Fn"}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }
    topo = topology(template, stack="S", region="us-east-1")
    assert nodes(topo, "AWS::Example::Widget")
    assert topo.not_drawn == {"AWS::IAM::Role": 1, "Custom::Thing": 1, "AWS::Lambda::Function": 1}
    assert not nodes(topo, "Lambda function")


def test_every_picture_is_shown_by_a_page_and_no_mermaid_is_left():
    pages = {page.name: page.read_text() for page in sorted((ROOT / "docs").glob("*.md"))}
    for png in sorted(PICTURES.glob("*.png")):
        assert any(f"](pictures/{png.name})" in text for text in pages.values()), png.name
    # Mermaid needs a script from a CDN: the offline site could not draw it
    assert [name for name, text in pages.items() if "```mermaid" in text] == []
