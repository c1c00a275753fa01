"""What the SQS worker tier exists for (notes 004:3783-4160, 002:2311-2320, 002:2503-2537),
asserted as relations on the profiles' templates (QueueWorker, QueueWorkerFifo) and on the option
templates of tests/queue_worker/options.py."""

from __future__ import annotations

import pytest

from tests.queue_worker.options import (
    ALARM_TOPIC_ARN,
    DATABASE_CLIENTS_GROUP,
    INSTANCE_BATCH,
    LATENCY_SECONDS,
    PROCESSING_SECONDS,
    SHARED_DLQ_ARN,
    SUBNET_IDS,
    TEMPLATES,
)
from tests.template_queries import one, props, ref, resources

STANDARD = "QueueWorker"
FIFO = "QueueWorkerFifo"
CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
}


def _queues(template: dict) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """(the work queue, its dead-letter queue): the work queue is the one with a redrive."""
    queues = resources(template, "AWS::SQS::Queue")
    (work,) = [(lid, q) for lid, q in queues.items() if "RedrivePolicy" in props(q)]
    dead_letter_id = ref(props(work[1])["RedrivePolicy"]["deadLetterTargetArn"])
    return work, (dead_letter_id, queues[dead_letter_id])


def _profile_templates(sandbox, production) -> list[dict]:
    return [s.template(name) for s in (sandbox, production) for name in (STANDARD, FIFO)]


def _function(template: dict) -> tuple[str, dict]:
    (found,) = [
        (lid, f)
        for lid, f in resources(template, "AWS::Lambda::Function").items()
        if props(f).get("Runtime", "").startswith("python")
    ]
    return found


def _statements(template: dict, role_id: str) -> list[dict]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if any(ref(role) == role_id for role in props(policy)["Roles"])
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return set(actions) if isinstance(actions, list) else {actions}


@pytest.mark.fact("QW-01", "QW-02")
@pytest.mark.parametrize("name", [STANDARD, FIFO])
def test_the_event_source_mapping_feeds_this_queue_to_this_function_reporting_item_failures(
    sandbox, name
):
    template = sandbox.template(name)
    (queue_id, _), _ = _queues(template)
    function_id, _ = _function(template)
    _, mapping = one(template, "AWS::Lambda::EventSourceMapping")
    assert ref(props(mapping)["EventSourceArn"]) == queue_id
    assert props(mapping)["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert ref(props(mapping)["FunctionName"]) == function_id
    assert props(mapping)["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props(mapping)["BatchSize"] == 10


@pytest.mark.fact("QW-03")
def test_dead_letter_queue_receives_after_three_failed_receives(sandbox, production):
    for template in _profile_templates(sandbox, production):
        (queue_id, queue), (dead_letter_id, dead_letter) = _queues(template)
        redrive = props(queue)["RedrivePolicy"]
        assert redrive == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letter_id, "Arn"]},
            "maxReceiveCount": 3,
        }
        assert dead_letter_id != queue_id and "RedrivePolicy" not in props(dead_letter)


@pytest.mark.fact("QW-04")
def test_the_dead_letter_queue_keeps_messages_14_days_longer_than_the_queue_s_4(
    sandbox, production
):
    for template in _profile_templates(sandbox, production):
        (_, queue), (_, dead_letter) = _queues(template)
        assert props(queue)["MessageRetentionPeriod"] == 4 * 86400
        assert props(dead_letter)["MessageRetentionPeriod"] == 14 * 86400
    (_, queue), (_, dead_letter) = _queues(TEMPLATES["queue_worker_batching_window"]())
    assert props(queue)["MessageRetentionPeriod"] == 86400
    assert props(dead_letter)["MessageRetentionPeriod"] == 7 * 86400


@pytest.mark.fact("QW-05", "QW-19")
def test_dead_letter_queue_is_fifo_exactly_when_its_queue_is(sandbox, production):
    cases = [(s.template(STANDARD), False) for s in (sandbox, production)]
    cases += [(s.template(FIFO), True) for s in (sandbox, production)]
    cases.append((TEMPLATES["queue_worker_fifo_high_throughput"](), True))
    for template, fifo in cases:
        (_, queue), (_, dead_letter) = _queues(template)
        assert props(queue).get("FifoQueue", False) is fifo
        assert props(dead_letter).get("FifoQueue", False) is fifo
        # CloudFormation names an unnamed FIFO queue with the .fifo suffix itself.
        assert "QueueName" not in props(queue) and "QueueName" not in props(dead_letter)


@pytest.mark.fact("QW-06")
def test_visibility_timeout_is_at_least_six_times_the_function_timeout(sandbox, production):
    templates = [s.template(FIFO) for s in (sandbox, production)] + [sandbox.template(STANDARD)]
    templates.append(TEMPLATES["queue_worker_fifo_high_throughput"]())
    for template in templates:
        (_, queue), _ = _queues(template)
        _, function = _function(template)
        assert props(queue)["VisibilityTimeout"] >= 6 * props(function)["Timeout"]
    (_, queue), _ = _queues(sandbox.template(STANDARD))
    assert props(queue)["VisibilityTimeout"] == 180 == 6 * 30
    template = TEMPLATES["queue_worker_batching_window"]()
    (_, queue), _ = _queues(template)
    _, mapping = one(template, "AWS::Lambda::EventSourceMapping")
    window = props(mapping)["MaximumBatchingWindowInSeconds"]
    assert (
        props(queue)["VisibilityTimeout"] >= 6 * props(_function(template)[1])["Timeout"] + window
    )


@pytest.mark.fact("QW-07")
def test_instance_visibility_timeout_outlasts_a_whole_batch_of_processing(production):
    (_, queue), _ = _queues(production.template(STANDARD))
    assert props(queue)["VisibilityTimeout"] == 2 * 10 * 10  # twice batch 10 x 10 s
    (_, queue), _ = _queues(TEMPLATES["queue_worker_instances"]())
    assert props(queue)["VisibilityTimeout"] == 2 * INSTANCE_BATCH * PROCESSING_SECONDS


@pytest.mark.fact("QW-08", "QW-09", "QW-10")
def test_both_queues_long_poll_20_s_are_encrypted_and_refuse_plain_http(sandbox, production):
    templates = _profile_templates(sandbox, production) + [TEMPLATES["queue_worker_instances"]()]
    for template in templates:
        queues = resources(template, "AWS::SQS::Queue")
        assert len(queues) == 2
        denied: set[str] = set()
        for policy in resources(template, "AWS::SQS::QueuePolicy").values():
            for statement in props(policy)["PolicyDocument"]["Statement"]:
                if (
                    statement["Effect"] == "Deny"
                    and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                    and statement["Principal"] == {"AWS": "*"}
                    and statement["Action"] == "sqs:*"
                ):
                    denied |= {ref(q) for q in props(policy)["Queues"]}
        for queue in queues.values():
            assert props(queue)["ReceiveMessageWaitTimeSeconds"] == 20
            assert props(queue)["SqsManagedSseEnabled"] is True
            assert "KmsMasterKeyId" not in props(queue)
        assert denied == set(queues)


@pytest.mark.fact("QW-12", "QW-13", "QW-14")
def test_workers_scale_on_this_queue_s_visible_messages_per_in_service_instance(production):
    template = production.template(STANDARD)
    (queue_id, _), _ = _queues(template)
    group_id, group = one(template, "AWS::AutoScaling::AutoScalingGroup")
    _, policy = one(template, "AWS::AutoScaling::ScalingPolicy")
    assert ref(props(policy)["AutoScalingGroupName"]) == group_id
    assert props(policy)["PolicyType"] == "TargetTrackingScaling"
    config = props(policy)["TargetTrackingConfiguration"]
    assert config["TargetValue"] == 300 / 10  # acceptable latency / processing time
    metrics = {m["Id"]: m for m in config["CustomizedMetricSpecification"]["Metrics"]}
    (returned,) = [m for m in metrics.values() if m["ReturnData"]]
    numerator, denominator = (part.strip() for part in returned["Expression"].split("/"))
    visible = metrics[numerator]["MetricStat"]
    assert visible["Metric"]["Namespace"] == "AWS/SQS"
    assert visible["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert visible["Metric"]["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
    ]
    in_service = metrics[denominator]["MetricStat"]
    assert in_service["Metric"]["Namespace"] == "AWS/AutoScaling"
    assert in_service["Metric"]["MetricName"] == "GroupInServiceInstances"
    assert in_service["Metric"]["Dimensions"] == [
        {"Name": "AutoScalingGroupName", "Value": {"Ref": group_id}}
    ]
    # The denominator exists only when the group publishes it.
    assert props(group)["MetricsCollection"] == [
        {"Granularity": "1Minute", "Metrics": ["GroupInServiceInstances"]}
    ]


@pytest.mark.fact("QW-14")
def test_the_option_s_target_is_its_latency_over_its_processing_time():
    _, policy = one(TEMPLATES["queue_worker_instances"](), "AWS::AutoScaling::ScalingPolicy")
    target = props(policy)["TargetTrackingConfiguration"]["TargetValue"]
    assert target == LATENCY_SECONDS / PROCESSING_SECONDS == 20


@pytest.mark.fact("QW-15")
def test_the_worker_role_may_only_receive_delete_and_extend_messages_of_this_queue(production):
    for template in (production.template(STANDARD), TEMPLATES["queue_worker_instances"]()):
        (queue_id, _), _ = _queues(template)
        _, profile = one(template, "AWS::IAM::InstanceProfile")
        (role_id,) = [ref(role) for role in props(profile)["Roles"]]
        sqs_statements = [
            s
            for s in _statements(template, role_id)
            if any(a.startswith("sqs") for a in _actions(s))
        ]
        (statement,) = sqs_statements
        assert _actions(statement) == {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
        }
        assert statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        others = [s for s in _statements(template, role_id) if s is not statement]
        assert all(a.startswith(("ssm", "ec2messages")) for s in others for a in _actions(s))


@pytest.mark.fact("QW-15")
@pytest.mark.parametrize("name", [STANDARD, FIFO])
def test_the_function_role_may_only_consume_this_queue_and_write_its_own_logs(sandbox, name):
    template = sandbox.template(name)
    (queue_id, _), _ = _queues(template)
    _, function = _function(template)
    role_id = ref(props(function)["Role"])
    (log_group_id,) = resources(template, "AWS::Logs::LogGroup")
    assert ref(props(function)["LoggingConfig"]["LogGroup"]) == log_group_id
    seen = set()
    for statement in _statements(template, role_id):
        actions = _actions(statement)
        if actions <= {"logs:CreateLogStream", "logs:PutLogEvents"}:
            assert statement["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
        else:
            assert actions <= CONSUME and "sqs:SendMessage" not in actions
            assert statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        seen |= actions
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "logs:PutLogEvents"} <= seen
    assert not resources(template, "AWS::IAM::ManagedPolicy")
    assert "ManagedPolicyArns" not in props(template["Resources"][role_id])


@pytest.mark.fact("QW-16", "QW-17")
def test_production_workers_run_in_the_application_subnets_of_three_azs_two_at_least(production):
    template = production.template(STANDARD)
    _, group = one(template, "AWS::AutoScaling::AutoScalingGroup")
    subnets = resources(template, "AWS::EC2::Subnet")
    chosen = [ref(subnet) for subnet in props(group)["VPCZoneIdentifier"]]
    assert len(chosen) == 3
    assert all("ApplicationSubnet" in subnet for subnet in chosen)
    assert all(not props(subnets[s]).get("MapPublicIpOnLaunch", False) for s in chosen)
    assert len({str(props(subnets[s])["AvailabilityZone"]) for s in chosen}) == 3
    assert props(group)["MinSize"] == "2" and props(group)["MaxSize"] == "10"
    _, template_resource = one(template, "AWS::EC2::LaunchTemplate")
    data = props(template_resource)["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in data
    (device,) = data["BlockDeviceMappings"]
    assert device["Ebs"]["Encrypted"] is True
    (group_ref,) = data["SecurityGroupIds"]
    worker_group = template["Resources"][ref(group_ref)]
    assert "SecurityGroupIngress" not in props(worker_group)
    assert props(worker_group)["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to SQS, SSM and the package repositories",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert not [
        rule
        for rule in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if ref(props(rule)["GroupId"]) == ref(group_ref)
    ]


@pytest.mark.fact("QW-16")
def test_instances_join_the_given_subnets_and_security_groups():
    template = TEMPLATES["queue_worker_instances"]()
    _, group = one(template, "AWS::AutoScaling::AutoScalingGroup")
    assert props(group)["VPCZoneIdentifier"] == list(SUBNET_IDS)
    _, launch = one(template, "AWS::EC2::LaunchTemplate")
    ids = props(launch)["LaunchTemplateData"]["SecurityGroupIds"]
    assert ids[1:] == [DATABASE_CLIENTS_GROUP] and ref(ids[0]) in resources(
        template, "AWS::EC2::SecurityGroup"
    )
    assert props(launch)["LaunchTemplateData"]["InstanceType"] == "m7i.large"


@pytest.mark.fact("QW-17")
def test_the_worker_program_long_polls_this_queue_from_user_data(production):
    template = production.template(STANDARD)
    (queue_id, _), _ = _queues(template)
    _, launch = one(template, "AWS::EC2::LaunchTemplate")
    parts = props(launch)["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    text = "".join(part for part in parts if isinstance(part, str))
    assert {"Ref": queue_id} in parts
    assert "WaitTimeSeconds=wait_seconds" in text and "WAIT_TIME_SECONDS = 20" in text
    assert "sqs.delete_message(" in text and "Environment=QUEUE_URL=" in text
    assert "systemctl enable --now queue-worker.service" in text


@pytest.mark.fact("QW-18")
def test_sandbox_has_no_vpc_and_no_instance_and_deletes_its_queues(sandbox, production):
    for name in (STANDARD, FIFO):
        template = sandbox.template(name)
        types = {r["Type"] for r in template["Resources"].values()}
        assert not {t for t in types if t.startswith(("AWS::EC2::", "AWS::AutoScaling::"))}
        _, function = _function(template)
        assert "VpcConfig" not in props(function)
        for queue in resources(template, "AWS::SQS::Queue").values():
            assert queue["DeletionPolicy"] == "Delete"
        for queue in resources(production.template(name), "AWS::SQS::Queue").values():
            assert queue["DeletionPolicy"] == "Retain"


@pytest.mark.fact("QW-19")
def test_the_fifo_stack_deduplicates_on_content(sandbox, production):
    for template in (sandbox.template(FIFO), production.template(FIFO)):
        (_, queue), _ = _queues(template)
        assert props(queue)["ContentBasedDeduplication"] is True
        assert "DeduplicationScope" not in props(queue)
    (_, queue), _ = _queues(TEMPLATES["queue_worker_fifo_high_throughput"]())
    assert "ContentBasedDeduplication" not in props(queue)


@pytest.mark.fact("QW-20")
def test_fifo_consumers_take_no_batching_window(sandbox, production):
    for template in (sandbox.template(FIFO), production.template(FIFO)):
        _, mapping = one(template, "AWS::Lambda::EventSourceMapping")
        assert "MaximumBatchingWindowInSeconds" not in props(mapping)
        assert props(mapping)["BatchSize"] <= 10


@pytest.mark.fact("QW-21")
def test_high_throughput_fifo_scopes_deduplication_and_quota_to_the_message_group():
    template = TEMPLATES["queue_worker_fifo_high_throughput"]()
    (_, queue), (_, dead_letter) = _queues(template)
    assert props(queue)["DeduplicationScope"] == "messageGroup"
    assert props(queue)["FifoThroughputLimit"] == "perMessageGroupId"
    assert props(queue)["RedrivePolicy"]["maxReceiveCount"] == 5
    _, mapping = one(template, "AWS::Lambda::EventSourceMapping")
    assert props(mapping)["ScalingConfig"] == {"MaximumConcurrency": 5}


@pytest.mark.fact("QW-22")
def test_an_alarm_fires_when_this_dead_letter_queue_holds_any_message(sandbox, production):
    for template in _profile_templates(sandbox, production):
        _, (dead_letter_id, _) = _queues(template)
        _, alarm = one(template, "AWS::CloudWatch::Alarm")
        assert props(alarm)["Namespace"] == "AWS/SQS"
        assert props(alarm)["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert props(alarm)["Dimensions"] == [
            {"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letter_id, "QueueName"]}}
        ]
        assert props(alarm)["ComparisonOperator"] == "GreaterThanThreshold"
        assert props(alarm)["Threshold"] == 0
        assert props(alarm)["TreatMissingData"] == "notBreaching"
    _, alarm = one(TEMPLATES["queue_worker_instances"](), "AWS::CloudWatch::Alarm")
    assert props(alarm)["AlarmActions"] == [ALARM_TOPIC_ARN]


@pytest.mark.fact("QW-23")
def test_a_batching_window_lets_one_invocation_take_up_to_100_messages():
    template = TEMPLATES["queue_worker_batching_window"]()
    _, mapping = one(template, "AWS::Lambda::EventSourceMapping")
    assert props(mapping)["BatchSize"] == 100
    assert props(mapping)["MaximumBatchingWindowInSeconds"] == 20
    assert props(mapping)["ScalingConfig"] == {"MaximumConcurrency": 10}


@pytest.mark.fact("QW-24")
def test_an_existing_dead_letter_queue_is_used_as_it_is():
    template = TEMPLATES["queue_worker_shared_dlq"]()
    (queue,) = resources(template, "AWS::SQS::Queue").values()
    assert props(queue)["RedrivePolicy"] == {
        "deadLetterTargetArn": SHARED_DLQ_ARN,
        "maxReceiveCount": 3,
    }
    assert not resources(template, "AWS::CloudWatch::Alarm")
