"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack

from constructs_lib.serverless_api import ServerlessApi


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"memory_size": 127}, r"memory_size is 127; allowed: 128 to 10240 MB"),
        ({"memory_size": 10241}, r"memory_size is 10241; allowed: 128 to 10240 MB"),
        ({"timeout_seconds": 0}, r"timeout_seconds is 0; allowed: 1 to 900 s"),
        ({"timeout_seconds": 901}, r"timeout_seconds is 901; allowed: 1 to 900 s"),
        ({"reserved_concurrency": 0}, r"reserved_concurrency is 0; allowed: 1 or more"),
        (
            {"throttling_rate_limit": 100, "throttling_burst_limit": 50},
            r"throttling_burst_limit is 50; allowed: at least throttling_rate_limit \(100\)",
        ),
        ({"throttling_rate_limit": -1}, r"throttling_rate_limit is -1; allowed: 0 or more"),
        (
            {"throttling_rate_limit": 0, "throttling_burst_limit": -5},
            r"throttling_burst_limit is -5; allowed: 0 or more",
        ),
        ({"partition_key_type": "binary"}, r"partition_key_type is 'binary'; allowed: string, num"),
        ({"sort_key": "sk", "sort_key_type": "bool"}, r"sort_key_type is 'bool'; allowed: string"),
        ({"partition_key": ""}, r"partition_key is ''; allowed: a name of 1 to 255 characters"),
        ({"sort_key": "id"}, r"sort_key is 'id'; allowed: a name other than partition_key"),
        ({"ttl_attribute": "id"}, r"ttl_attribute is 'id'; allowed: an attribute that is not a k"),
        (
            {"sort_key": "sk", "ttl_attribute": "sk"},
            r"ttl_attribute is 'sk'; allowed: an attribute that is not a key",
        ),
        ({"stream_view": "everything"}, r"stream_view is 'everything'; allowed: keys_only, new_"),
        ({"billing_mode": "reserved"}, r"billing_mode is 'reserved'; allowed: on_demand, provis"),
        (
            {"billing_mode": "provisioned", "min_capacity": 0},
            r"min_capacity is 0; allowed: 1 or more",
        ),
        (
            {"billing_mode": "provisioned", "min_capacity": 5, "max_capacity": 4},
            r"max_capacity is 4; allowed: at least min_capacity \(5\)",
        ),
        (
            {"billing_mode": "provisioned", "target_utilization_percent": 95},
            r"target_utilization_percent is 95; allowed: 20 to 90 %",
        ),
        ({"auth_mode": "apikey"}, r"auth_mode is 'apikey'; allowed: iam, cognito, none"),
        ({"auth_mode": "none"}, r"auth_mode is 'none'; allowed only with allow_unauthenticated"),
        ({"allow_unauthenticated": True}, r"allow_unauthenticated is True but auth_mode is 'iam'"),
        ({"auth_mode": "cognito", "mfa": "off"}, r"mfa is 'off'; allowed: required, optional"),
        ({"endpoint_type": "private"}, r"endpoint_type is 'private'; allowed: regional, edge"),
        ({"execution_log_level": "DEBUG"}, r"execution_log_level is 'DEBUG'; allowed: INFO, ERROR"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        ServerlessApi(stack, "Api", **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack):
    with pytest.raises(ValueError):
        ServerlessApi(stack, "Api", memory_size=64)
    assert [child.node.id for child in stack.node.children] == ["Api"]
    assert stack.node.find_child("Api").node.children == []
