"""CloudFormation types moto 5.2.5 skips or fails on, mapped onto moto's own backends.

Each extension is one small class: ``TYPE`` (the CloudFormation type), ``create`` (does the work
in moto's backend, returns the physical id and the ``Fn::GetAtt`` attributes) and ``remove``.
``STUB = True`` marks a type moto has no model for at all: it only hands out ids, the deploy
coverage report lists it as "not emulated" and never counts it as verified. A type moto has
an API and a model for but no CloudFormation model (``AWS::RDS::GlobalCluster``,
``AWS::Scheduler::Schedule``: moto 5.2.5's CreateStack skips it) calls that model's backend
with the template's properties (``Schedule``: moto's ``EventBridgeSchedulerBackend``).

aws-cdk's custom resources (``Custom::...``): moto would invoke their Lambda handler, which
needs Docker, and wait forever for the response. ``CdkHandlerResource`` runs aws-cdk-lib's own
handler instead, from the deployed function's code (Node with ``node``, Python with this
interpreter), its SDK calls going back to this moto server: the state they leave is moto's own
model, made by aws-cdk-lib's code (stubs.HANDLERS_RUN lists them).

``install()`` registers them with moto's CloudFormation parser (idempotent); call it in the
process that runs the moto server, before the first CreateStack.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores

from tests.emulator.stubs import HANDLERS_RUN, STUB_TYPES

ACCOUNT_PARTITION = "aws"


class Extension(CloudFormationModel):
    """A CloudFormation type backed by moto's backend; subclasses fill in create/remove."""

    TYPE: ClassVar[str] = ""
    STUB: ClassVar[bool] = False
    # Why a stub is a stub (shown in the coverage report and the docs).
    STUB_REASON: ClassVar[str] = ""

    def __init__(self, physical_id: str, attributes: dict[str, Any], props: dict[str, Any]):
        self._physical_id = physical_id
        self._attributes = attributes
        self._props = props

    # --- CloudFormationModel plumbing -------------------------------------------------------
    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self._attributes.get(attribute_name)

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Extension:
        props = cloudformation_json.get("Properties", {})
        physical_id, attributes = cls.create(props, account_id, region_name, resource_name)
        return cls(physical_id, attributes, props)

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove(self._physical_id, self._props, account_id, region_name)

    # --- what a subclass implements ---------------------------------------------------------
    @classmethod
    def create(
        cls, props: dict[str, Any], account_id: str, region: str, name: str
    ) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], account_id: str, region: str) -> None:
        return None


def _snake(props: dict[str, Any]) -> dict[str, Any]:
    return {camelcase_to_underscores(key): value for key, value in props.items()}


def _items(values: list[Any] | None) -> dict[str, Any]:
    values = list(values or [])
    return {"Quantity": len(values), "Items": values}


# ------------------------------------------------------------ aws-cdk-lib's own handlers
# moto cannot invoke a Lambda function here (its runtime needs Docker). For aws-cdk's own
# custom resources the emulator runs the handler itself, as Lambda would: the deployed
# function's code (the asset zip the CLI published, which moto read from the assets bucket
# when it created the function) and layers, unpacked once per server process; the function's
# environment; the event CloudFormation sends (ResourceProperties resolved to physical ids,
# every scalar a string); the AWS SDK pointed back at this moto server. The request that runs
# the handler (CreateStack/DeleteStack) is still in flight: moto's server serves every request
# on its own thread and holds no lock while a backend works, so the handler's calls are served
# meanwhile.
HANDLER_TIMEOUT_S = 120.0
ROOT = Path(__file__).resolve().parents[2]

# Node (aws-cdk's CustomResourceProvider handlers): the user handler is called directly, not
# __entrypoint__.js (which would PUT the response to CloudFormation's pre-signed S3 URL); its
# result becomes the response as __entrypoint__.js renders it (see _provider_response).
_NODE_INVOKE = r"""
const fs = require("fs");
const [modulePath, exportName, eventFile, resultFile] = process.argv.slice(1);
const event = JSON.parse(fs.readFileSync(eventFile, "utf8"));
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: event.RequestId,
  getRemainingTimeInMillis: () => 900000,
};
Promise.resolve()
  .then(() => require(modulePath)[exportName](event, context))
  .then(
    (result) => {
      fs.writeFileSync(resultFile, JSON.stringify(result === undefined ? null : result));
      process.exit(0);
    },
    (error) => {
      console.error((error && error.stack) || String(error));
      process.exit(1);
    },
  );
"""

# Python (BucketDeployment): the module's handler(event, context) as is; it PUTs its response
# to event["ResponseURL"], here a loopback listener of this runner. The handler's one path
# into Lambda's file system, the AWS CLI of its layer at /opt/awscli/aws, is mapped to the
# same file of the layer as unpacked here (layers are mounted at /opt in Lambda), run by this
# Python (its shebang names Lambda's /var/lang/bin/python).
_PYTHON_INVOKE = r"""
import http.server, importlib, json, logging, os, subprocess, sys, threading, types
code, layers, handler, event_file, result_file = sys.argv[1:]
layers = json.loads(layers)
logging.basicConfig(level=logging.INFO, stream=sys.stderr)

class Response(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        with open(result_file, "wb") as out:
            out.write(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

listener = http.server.HTTPServer(("127.0.0.1", 0), Response)
threading.Thread(target=listener.serve_forever, daemon=True).start()
with open(event_file) as raw:
    event = json.load(raw)
event["ResponseURL"] = f"http://127.0.0.1:{listener.server_port}/cloudformation-response"

def from_layer(argv):
    if not argv[0].startswith("/opt/"):
        return list(argv)
    relative = argv[0][len("/opt/"):]
    for layer in layers:
        path = os.path.join(layer, relative)
        if os.path.isfile(path):
            with open(path, "rb") as script:
                python = b"python" in script.readline()
            return ([sys.executable] if python else []) + [path, *argv[1:]]
    raise FileNotFoundError(f"{argv[0]}: in none of the function's layers")

sys.path.insert(0, code)
module_name, function_name = handler.rsplit(".", 1)
module = importlib.import_module(module_name)
module.subprocess = types.SimpleNamespace(
    check_call=lambda argv, *a, **k: subprocess.check_call(from_layer(argv), *a, **k)
)

class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    log_stream_name = "emulator/" + event["RequestId"]
    aws_request_id = event["RequestId"]

    @staticmethod
    def get_remaining_time_in_millis():
        return 900000

getattr(module, function_name)(event, Context())
listener.shutdown()
"""

_UNPACKED_LOCK = threading.Lock()
_UNPACKED: dict[str, Path] = {}  # sha256 of a zip -> where it is unpacked


@functools.cache
def _unpack_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="emulator-handlers-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def _unpacked(code: bytes) -> Path:
    """A Lambda zip (function code or layer) unpacked once per content, in a temporary
    directory of this process that goes when the server exits."""
    digest = hashlib.sha256(code).hexdigest()
    with _UNPACKED_LOCK:
        if digest not in _UNPACKED:
            with zipfile.ZipFile(io.BytesIO(code)) as zipped:
                zipped.extractall(_unpack_root() / digest)
            _UNPACKED[digest] = _unpack_root() / digest
        return _UNPACKED[digest]


# The moto server this process runs (port, certificate): set by install(), which
# tests/emulator/server.py calls with its own command line's values.
_ENDPOINT: tuple[int, str] | None = None


def _emulator_endpoint() -> tuple[int, str]:
    """Port and certificate of the emulator that aws-cdk-lib's handlers call back into."""
    if _ENDPOINT is None:
        raise RuntimeError(
            "aws-cdk's custom resource handlers call back into the emulator: install the "
            "extensions with install(endpoint=(port, certificate)), as server.py does"
        )
    return _ENDPOINT


def _cfn_strings(value: Any) -> Any:
    """CloudFormation passes a custom resource's properties with every scalar a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return [_cfn_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _cfn_strings(v) for k, v in value.items()}
    return value


class HandlerFailed(RuntimeError):
    """aws-cdk-lib's handler answered FAILED, or did not run to its end."""

    def __init__(self, event: dict[str, Any], reason: str) -> None:
        self.resource_type, self.logical_id = event["ResourceType"], event["LogicalResourceId"]
        self.reason = f"{event['RequestType']}: {reason}"
        super().__init__(f"{self.resource_type} {self.logical_id}: {self.reason}")


class DeployedHandler:
    """aws-cdk-lib's handler as the deployed Lambda function holds it, run as Lambda would."""

    def __init__(self, service_token: str, account_id: str, region: str) -> None:
        from moto.awslambda.utils import get_backend

        backend = get_backend(account_id, region)
        function = backend.get_function(service_token)
        self.function_name = function.function_name
        self.handler = function.handler
        self.runtime = function.run_time or ""
        self.environment = dict(function.environment_vars or {})
        self.region = region
        self.code = _unpacked(function.code_bytes)
        self.layers = [
            _unpacked(backend.layers_versions_by_arn(layer["Arn"]).code_bytes)
            for layer in function.layers
        ]

    def _env(self) -> dict[str, str]:
        port, cert = _emulator_endpoint()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
        env.update(self.environment)  # the function's own variables, as Lambda sets them
        venv_bin = str(Path(sys.executable).parent)
        env.update(
            PATH=os.pathsep.join([venv_bin, env.get("PATH", "")]),
            AWS_LAMBDA_FUNCTION_NAME=self.function_name,
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_EC2_METADATA_DISABLED="true",
            # By IP (the certificate names it too): the SDKs address a bucket as
            # <bucket>.<endpoint host> unless that host is an IP address, and there is no name
            # (nor certificate) for <bucket>.localhost.
            AWS_ENDPOINT_URL=f"https://127.0.0.1:{port}",
            # Lambda's image has its own CA bundle (BucketDeployment names its path); the
            # emulator's certificate instead, for the SDKs and the AWS CLI.
            AWS_CA_BUNDLE=cert,
            NODE_EXTRA_CA_CERTS=cert,
            # Lambda's Node runtime ships the AWS SDK; here the project's pinned devDependencies.
            NODE_PATH=str(ROOT / "node_modules"),
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        return env

    def invoke(self, call: str, event: dict[str, Any]) -> dict[str, Any]:
        """Run ``call`` (module.export of the function's code) with ``event``; return the
        response CloudFormation would receive ({Status, PhysicalResourceId, Data, ...})."""
        env = self._env()
        module, export = call.rsplit(".", 1)
        node = self.runtime.startswith("nodejs")
        if not (node or self.runtime.startswith("python")):
            raise RuntimeError(f"{self.function_name}: no runner for {self.runtime}")
        with tempfile.TemporaryDirectory(prefix="emulator-invoke-") as scratch:
            event_file, result_file = Path(scratch, "event.json"), Path(scratch, "result.json")
            event_file.write_text(json.dumps(event))
            if node:
                executable = shutil.which("node", path=env["PATH"]) or "node"
                argv = [executable, "-e", _NODE_INVOKE, str(self.code / module), export]
            else:
                layers = json.dumps([str(layer) for layer in self.layers])
                argv = [sys.executable, "-c", _PYTHON_INVOKE, str(self.code), layers, call]
            argv += [str(event_file), str(result_file)]
            started = time.monotonic()
            try:
                output, returncode = _run_bounded(argv, env, cwd=scratch)
            except TimeoutError as timeout:
                raise HandlerFailed(event, str(timeout)) from None
            seconds = time.monotonic() - started
            result = json.loads(result_file.read_text()) if result_file.exists() else None
        where = f"{event['ResourceType']} {event['LogicalResourceId']} ({event['RequestType']})"
        # The server's log (moto.log): what ran, how long, and its own output on failure.
        print(f"aws-cdk handler {where}: exit {returncode}, {seconds:.1f} s", flush=True)
        if returncode != 0 or not (node or result):
            raise HandlerFailed(
                event,
                f"aws-cdk-lib's handler {self.function_name} exited {returncode}:\n"
                + _last_lines(output),
            )
        response = _provider_response(event, result) if node else result
        if response.get("Status") != "SUCCESS":
            raise HandlerFailed(event, f"{response.get('Reason')}\n{_last_lines(output)}")
        return response


def _run_bounded(argv: list[str], env: dict[str, str], cwd: str) -> tuple[str, int]:
    """Run a handler; past HANDLER_TIMEOUT_S its whole process group is killed."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=HANDLER_TIMEOUT_S)
    except BaseException as interrupted:  # a timeout, a signal, ...: no handler survives
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        if not isinstance(interrupted, subprocess.TimeoutExpired):
            raise
        raise TimeoutError(
            f"{argv[0]} did not finish within {HANDLER_TIMEOUT_S:.0f} s and was killed:\n"
            + _last_lines(output.decode(errors="replace"))
        ) from None
    return output.decode(errors="replace"), process.returncode


def _last_lines(text: str, lines: int = 15) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _provider_response(event: dict[str, Any], result: Any) -> dict[str, Any]:
    """The response aws-cdk's __entrypoint__.js (CustomResourceProvider) renders from the user
    handler's result: its PhysicalResourceId, else the event's, else the RequestId."""
    result = result or {}
    physical_id = (
        result.get("PhysicalResourceId") or event.get("PhysicalResourceId") or event["RequestId"]
    )
    if event["RequestType"] == "Delete" and physical_id != event["PhysicalResourceId"]:
        return {"Status": "FAILED", "Reason": "DELETE: cannot change the physical resource ID"}
    return {"Status": "SUCCESS", "PhysicalResourceId": physical_id, "Data": result.get("Data")}


class CdkHandlerResource(Extension):
    """An aws-cdk custom resource whose handler (aws-cdk-lib's own code, deployed as the
    ServiceToken's Lambda function) runs for real on Create and Delete: see DeployedHandler."""

    # The deployed function's Handler setting (checked: a change in aws-cdk-lib fails loudly)
    # and the module.export of its code that is called.
    FUNCTION_HANDLER: ClassVar[str] = ""
    CALL: ClassVar[str] = ""

    def __init__(
        self,
        physical_id: str,
        attributes: dict[str, Any],
        props: dict[str, Any],
        handler: DeployedHandler | None = None,
        logical_id: str = "",
        stack_id: str = "",
    ) -> None:
        super().__init__(physical_id, attributes, props)
        self._handler, self._logical_id, self._stack_id = handler, logical_id, stack_id

    @classmethod
    def event(
        cls,
        request_type: str,
        props: dict[str, Any],
        logical_id: str,
        stack_id: str,
        physical_id: str | None = None,
    ) -> dict[str, Any]:
        """The event CloudFormation sends the function (ResponseURL as __entrypoint__.js passes
        it on; the Python runner sets its own)."""
        event = {
            "RequestType": request_type,
            "ServiceToken": props["ServiceToken"],
            "ResponseURL": "...",
            "StackId": stack_id,
            "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": logical_id,
            "ResourceType": cls.TYPE,
            "ResourceProperties": _cfn_strings(props),
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        return event

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CdkHandlerResource:
        props = cloudformation_json.get("Properties", {})
        logical_id, stack_id = kwargs.get("LogicalId", resource_name), kwargs.get("StackId", "")
        event = cls.event("Create", props, logical_id, stack_id)
        handler = DeployedHandler(props["ServiceToken"], account_id, region_name)
        if handler.handler != cls.FUNCTION_HANDLER:
            raise HandlerFailed(
                event,
                f"the deployed function's handler is {handler.handler}, the emulator calls "
                f"{cls.CALL} of {cls.FUNCTION_HANDLER} (has aws-cdk-lib changed it?)",
            )
        response = handler.invoke(cls.CALL, event)
        return cls(
            response["PhysicalResourceId"],
            response.get("Data") or {},
            props,
            handler,
            logical_id,
            stack_id,
        )

    def delete(self, account_id: str, region_name: str) -> None:
        # The code is the one unpacked at create: moto may delete the function first (see
        # install_custom_resources_delete_first for the order CloudFormation keeps).
        assert self._handler is not None
        event = self.event(
            "Delete", self._props, self._logical_id, self._stack_id, self._physical_id
        )
        self._handler.invoke(self.CALL, event)


# ------------------------------------------------------------------------------------- EC2
class SecurityGroupEgress(Extension):
    TYPE = "AWS::EC2::SecurityGroupEgress"

    @staticmethod
    def _args(props: dict[str, Any]) -> dict[str, Any]:
        source_groups = []
        if "DestinationSecurityGroupId" in props:
            source_groups.append({"GroupId": props["DestinationSecurityGroupId"]})
        ip_ranges = [{"CidrIp": props["CidrIp"]}] if "CidrIp" in props else []
        return {
            "group_name_or_id": props["GroupId"],
            "ip_protocol": str(props["IpProtocol"]),
            "from_port": props.get("FromPort"),
            "to_port": props.get("ToPort"),
            "ip_ranges": ip_ranges,
            "source_groups": source_groups,
        }

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.ec2.models import ec2_backends

        backend = ec2_backends[account_id][region]
        rules, _ = backend.authorize_security_group_egress(**cls._args(props))
        return rules[0].id, {"Id": rules[0].id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.ec2.models import ec2_backends

        backend = ec2_backends[account_id][region]
        if backend.get_security_group_from_id(props["GroupId"]) is None:
            return  # deleting the group took its rules with it
        backend.revoke_security_group_egress(
            props["GroupId"], None, None, None, [], security_rule_ids=[physical_id]
        )


class SubnetRouteTableAssociation(Extension):
    """Replaces moto's template model, which records the pair but never associates the route
    table with the subnet (DescribeRouteTables shows no association, the subnet keeps the main
    table's routes)."""

    TYPE = "AWS::EC2::SubnetRouteTableAssociation"

    @classmethod
    def create(cls, props, account_id, region, name):
        association_id = _ec2(account_id, region).associate_route_table(
            props["RouteTableId"], subnet_id=props["SubnetId"]
        )
        return association_id, {"Id": association_id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        backend = _ec2(account_id, region)
        if props["RouteTableId"] in backend.route_tables:  # else it went with its table
            backend.disassociate_route_table(physical_id)


class EIPAssociation(Extension):
    """moto 5.2.5 has no CloudFormation model for EIP associations (its CreateStack skips the
    type): moto's backend AssociateAddress with the template's AllocationId (or EIP) and
    InstanceId / NetworkInterfaceId; Ref is the association id; delete DisassociateAddress
    (moto then gives the instance back an auto-assigned address, as EC2 does)."""

    TYPE = "AWS::EC2::EIPAssociation"

    @classmethod
    def create(cls, props, account_id, region, name):
        backend = _ec2(account_id, region)
        instance = (
            backend.get_instance_by_id(props["InstanceId"]) if props.get("InstanceId") else None
        )
        eni = (
            backend.get_network_interface(props["NetworkInterfaceId"])
            if props.get("NetworkInterfaceId")
            else None
        )
        address = backend.associate_address(
            instance=instance,
            eni=eni,
            address=props.get("EIP"),
            allocation_id=props.get("AllocationId"),
        )
        return address.association_id, {"Id": address.association_id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        backend = _ec2(account_id, region)
        if any(a.association_id == physical_id for a in backend.addresses):
            backend.disassociate_address(association_id=physical_id)
        # else the address was released (or its instance terminated) first


def _nic_for_moto(nic: dict[str, Any]) -> dict[str, Any]:
    """A template's NetworkInterfaces item as moto's RunInstances takes it (EC2's API names:
    ``Groups`` for ``GroupSet``, booleans for ``AssociatePublicIpAddress``)."""
    out = {k: v for k, v in nic.items() if k not in ("GroupSet", "AssociatePublicIpAddress")}
    if "GroupSet" in nic:
        out["Groups"] = list(nic["GroupSet"])
    if "AssociatePublicIpAddress" in nic:
        out["AssociatePublicIpAddress"] = _bool_text(nic["AssociatePublicIpAddress"]) == "true"
    if "DeleteOnTermination" in nic:
        out["DeleteOnTermination"] = _bool_text(nic["DeleteOnTermination"]) == "true"
    return out


def _sized_block_devices(props: dict[str, Any]) -> dict[str, Any]:
    """The template's properties without the EBS mappings that give neither VolumeSize nor
    SnapshotId (EC2 takes the AMI's size; moto refuses them, "size/snapshot"): the instance
    then gets moto's default root volume."""
    mappings = props.get("BlockDeviceMappings")
    if not mappings:
        return props
    kept = [
        m
        for m in mappings
        if "Ebs" not in m or "VolumeSize" in m["Ebs"] or "SnapshotId" in m["Ebs"]
    ]
    if len(kept) == len(mappings):
        return props
    out = {k: v for k, v in props.items() if k != "BlockDeviceMappings"}
    if kept:
        out["BlockDeviceMappings"] = kept
    return out


def install_instance_network_interfaces() -> None:
    """moto's Instance model reads only the top-level ``SubnetId``: an instance whose template
    gives its subnet, security groups and public address in ``NetworkInterfaces`` (what
    aws-cdk-lib writes for ``associate_public_ip_address``) would land in the default VPC with
    no public address. Such an instance goes through moto's backend RunInstances with those
    interfaces, as EC2's API would take them; the rest is what moto's own model does. An EBS
    mapping without a size (the AMI's, on EC2) is left to moto's default root volume."""
    from moto.ec2.models.instances import Instance

    moto_create = Instance.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = _sized_block_devices(cloudformation_json.get("Properties", {}))
        if props.get("SubnetId") or not props.get("NetworkInterfaces"):
            cloudformation_json = dict(cloudformation_json, Properties=props)
            return moto_create(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        backend = _ec2(account_id, region_name)
        extra = {"block_device_mappings": props.get("BlockDeviceMappings")}
        reservation = backend.run_instances(
            image_id=props["ImageId"],
            user_data=props.get("UserData"),
            count=1,
            security_group_names=[],
            instance_type=props.get("InstanceType", "m1.small"),
            is_instance_type_default=not props.get("InstanceType"),
            nics=[_nic_for_moto(n) for n in props["NetworkInterfaces"]],
            key_name=props.get("KeyName"),
            private_ip=props.get("PrivateIpAddress"),
            **(extra if "BlockDeviceMappings" in props else {}),
        )
        instance = reservation.instances[0]
        for tag in props.get("Tags", []):
            instance.add_tag(tag["Key"], tag["Value"])
        if props.get("IamInstanceProfile"):
            backend.associate_iam_instance_profile(
                instance_id=instance.id, iam_instance_profile_name=props["IamInstanceProfile"]
            )
        return instance

    Instance.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def install_security_group_ingress_without_ports() -> None:
    """moto's SecurityGroup model reads FromPort/ToPort of every SecurityGroupIngress rule, so
    a rule without them (IpProtocol -1: all traffic, as aws-cdk-lib writes for a NAT instance's
    group) fails the whole stack with a KeyError. Such rules go through moto's backend
    AuthorizeSecurityGroupIngress without ports, as EC2's API takes them; moto's model makes
    the group and the other rules."""
    import copy

    from moto.ec2.models.security_groups import SecurityGroup

    moto_create = SecurityGroup.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        rules = cloudformation_json.get("Properties", {}).get("SecurityGroupIngress", [])
        portless = [r for r in rules if "FromPort" not in r or "ToPort" not in r]
        if not portless:
            return moto_create(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        trimmed = copy.deepcopy(cloudformation_json)
        trimmed["Properties"]["SecurityGroupIngress"] = [r for r in rules if r not in portless]
        group = moto_create(cls, resource_name, trimmed, account_id, region_name, **kwargs)
        backend = _ec2(account_id, region_name)
        for rule in portless:
            source = rule.get("SourceSecurityGroupId")
            backend.authorize_security_group_ingress(
                group_name_or_id=group.id,
                ip_protocol=str(rule["IpProtocol"]),
                from_port=rule.get("FromPort"),
                to_port=rule.get("ToPort"),
                ip_ranges=[{"CidrIp": rule["CidrIp"]}] if "CidrIp" in rule else [],
                source_groups=[{"GroupId": source}] if source else [],
                vpc_id=group.vpc_id,
            )
        return group

    SecurityGroup.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


class VpcRestrictDefaultSG(CdkHandlerResource):
    """aws-cdk's custom resource, its Node handler run for real: on create it revokes the
    default security group's default rules (all egress, ingress from itself), on delete it
    authorizes them again."""

    TYPE = "Custom::VpcRestrictDefaultSG"
    FUNCTION_HANDLER = "__entrypoint__.handler"
    CALL = "index.handler"  # the user handler __entrypoint__.js requires ("./index")


# ------------------------------------------------------------------------------ AutoScaling
class ScalingPolicy(Extension):
    TYPE = "AWS::AutoScaling::ScalingPolicy"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.autoscaling.models import autoscaling_backends

        backend = autoscaling_backends[account_id][region]
        policy = backend.put_scaling_policy(
            name=name,
            policy_type=props.get("PolicyType", "SimpleScaling"),
            metric_aggregation_type=props.get("MetricAggregationType"),
            adjustment_type=props.get("AdjustmentType"),
            as_name=props["AutoScalingGroupName"],
            min_adjustment_magnitude=props.get("MinAdjustmentMagnitude"),
            scaling_adjustment=props.get("ScalingAdjustment"),
            cooldown=props.get("Cooldown"),
            target_tracking_config=props.get("TargetTrackingConfiguration"),
            step_adjustments=props.get("StepAdjustments"),
            estimated_instance_warmup=props.get("EstimatedInstanceWarmup"),
            predictive_scaling_configuration=props.get("PredictiveScalingConfiguration"),
        )
        return policy.arn, {"Arn": policy.arn, "PolicyName": name}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.autoscaling.models import autoscaling_backends

        backend = autoscaling_backends[account_id][region]
        for policy_name, policy in list(backend.policies.items()):
            if policy.arn == physical_id:
                backend.delete_policy(policy_name)


# ------------------------------------------------------------------------------ API Gateway
class ApiGatewayStage(Extension):
    TYPE = "AWS::ApiGateway::Stage"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account_id][region]
        api_id, stage_name = props["RestApiId"], props.get("StageName", name)
        tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
        backend.create_stage(
            api_id,
            stage_name,
            props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
            cacheClusterEnabled=props.get("CacheClusterEnabled"),
            cacheClusterSize=props.get("CacheClusterSize"),
            tags=tags or None,
            tracing_enabled=props.get("TracingEnabled"),
        )
        operations = []
        access_log = props.get("AccessLogSetting")
        if access_log:
            operations += [
                {
                    "op": "replace",
                    "path": "/accessLogSettings/destinationArn",
                    "value": access_log["DestinationArn"],
                },
                {
                    "op": "replace",
                    "path": "/accessLogSettings/format",
                    "value": access_log["Format"],
                },
            ]
        for setting in props.get("MethodSettings", []):
            path = (
                f"/{setting['ResourcePath'].lstrip('/').replace('/', '~1') or '~1'}"
                f"/{setting['HttpMethod']}"
            )
            if setting["ResourcePath"] == "/*":
                path = f"/*/{setting['HttpMethod']}"
            for key, api_key in (
                ("LoggingLevel", "logging/loglevel"),
                ("MetricsEnabled", "metrics/enabled"),
                ("DataTraceEnabled", "logging/dataTrace"),
                ("ThrottlingBurstLimit", "throttling/burstLimit"),
                ("ThrottlingRateLimit", "throttling/rateLimit"),
            ):
                if key in setting:
                    operations.append(
                        {
                            "op": "replace",
                            "path": f"{path}/{api_key}",
                            "value": str(setting[key]).lower()
                            if isinstance(setting[key], bool)
                            else str(setting[key]),
                        }
                    )
        if operations:
            backend.update_stage(api_id, stage_name, operations)
        return stage_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account_id][region]
        if props["RestApiId"] in backend.apis:  # deleting the API took its stages with it
            backend.delete_stage(props["RestApiId"], physical_id)


class ApiGatewayRequestValidator(Extension):
    TYPE = "AWS::ApiGateway::RequestValidator"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account_id][region]
        validator = backend.create_request_validator(
            props["RestApiId"],
            props.get("Name", name),
            props.get("ValidateRequestBody", False),
            props.get("ValidateRequestParameters", False),
        )
        return validator.id, {"RequestValidatorId": validator.id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account_id][region]
        if props["RestApiId"] in backend.apis:
            backend.delete_request_validator(props["RestApiId"], physical_id)


class ApiGatewayModel(Extension):
    TYPE = "AWS::ApiGateway::Model"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account_id][region]
        model_name = props.get("Name", name)
        backend.create_model(
            props["RestApiId"],
            model_name,
            props.get("ContentType", "application/json"),
            props.get("Description", ""),
            json.dumps(props.get("Schema", {})),
        )
        return model_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.apigateway.models import apigateway_backends

        api = apigateway_backends[account_id][region].apis.get(props["RestApiId"])
        if api is not None:
            api.models.pop(physical_id, None)


# -------------------------------------------------------------------------------------- S3
class BucketPolicy(Extension):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.s3.models import s3_backends

        backend = s3_backends[account_id][ACCOUNT_PARTITION]
        backend.put_bucket_policy(props["Bucket"], json.dumps(props["PolicyDocument"]).encode())
        _apply_pending_logging(props["Bucket"])
        return props["Bucket"], {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.s3.models import s3_backends

        backend = s3_backends[account_id][ACCOUNT_PARTITION]
        if physical_id in backend.buckets:
            backend.delete_bucket_policy(physical_id)


class S3AutoDeleteObjects(CdkHandlerResource):
    """aws-cdk's custom resource, its Node handler run for real: nothing on create; on delete
    (of a bucket tagged aws-cdk:auto-delete-objects) it denies new objects in the bucket's
    policy and deletes every object version and delete marker."""

    TYPE = "Custom::S3AutoDeleteObjects"
    FUNCTION_HANDLER = "index.handler"
    # index.handler is the same function wrapped in the response-posting framework.
    CALL = "index.autoDeleteHandler"


class CDKBucketDeployment(CdkHandlerResource):
    """aws-cdk's BucketDeployment, its Python handler run for real: `aws s3 cp` of each source
    zip (the AWS CLI of the function's own layer), unzip, `aws s3 sync --delete` into the
    destination bucket, then the CloudFront invalidation (and its waiter). Delete: aws-cdk's
    default RetainOnDelete keeps the files (the bucket's auto-delete resource empties it) and
    invalidates again."""

    TYPE = "Custom::CDKBucketDeployment"
    FUNCTION_HANDLER = "index.handler"
    CALL = "index.handler"


# ------------------------------------------------------------------------------ CloudFront
def _distribution_config(cfn: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's DistributionConfig -> the API shape moto's backend takes."""

    def behaviour(raw: dict[str, Any]) -> dict[str, Any]:
        out = dict(raw)
        methods = raw.get("AllowedMethods", ["GET", "HEAD"])
        out["AllowedMethods"] = {
            "Items": methods,
            "CachedMethods": {"Items": raw.get("CachedMethods", ["GET", "HEAD"])},
        }
        return out

    origins = []
    for origin in cfn["Origins"]:
        item = dict(origin)
        if "S3OriginConfig" in origin:
            item["S3OriginConfig"] = {
                "OriginAccessIdentity": origin["S3OriginConfig"].get("OriginAccessIdentity", "")
            }
        origins.append(item)
    config = {
        "CallerReference": str(uuid.uuid4()),
        "Comment": cfn.get("Comment", ""),
        "Enabled": cfn.get("Enabled", True),
        "Origins": _items(origins),
        "DefaultCacheBehavior": behaviour(cfn["DefaultCacheBehavior"]),
        "DefaultRootObject": cfn.get("DefaultRootObject", ""),
        "HttpVersion": cfn.get("HttpVersion", "http2"),
        "IsIPV6Enabled": cfn.get("IPV6Enabled", True),
        "PriceClass": cfn.get("PriceClass", "PriceClass_All"),
        "WebACLId": cfn.get("WebACLId", ""),
    }
    if cfn.get("CacheBehaviors"):
        config["CacheBehaviors"] = _items([behaviour(b) for b in cfn["CacheBehaviors"]])
    if cfn.get("CustomErrorResponses"):
        config["CustomErrorResponses"] = _items(cfn["CustomErrorResponses"])
    if cfn.get("Aliases"):
        config["Aliases"] = _items(cfn["Aliases"])
    if cfn.get("Logging"):
        config["Logging"] = dict(cfn["Logging"], Enabled=True)
    if cfn.get("ViewerCertificate"):
        config["ViewerCertificate"] = cfn["ViewerCertificate"]
    return config


class Distribution(Extension):
    TYPE = "AWS::CloudFront::Distribution"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.cloudfront.models import cloudfront_backends

        backend = cloudfront_backends[account_id][ACCOUNT_PARTITION]
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])]
        dist, _, _ = backend.create_distribution(
            _distribution_config(props["DistributionConfig"]), tags
        )
        # moto parses S3OriginConfig but its API never returns it, and drops
        # OriginAccessControlId: keep both on the origin, where its serializer looks.
        by_id = {o["Id"]: o for o in props["DistributionConfig"]["Origins"]}
        for origin in dist.distribution_config.Origins["Items"]:
            raw = by_id[origin.id]
            if "S3OriginConfig" in raw:
                origin.s3_origin_config = {
                    "OriginAccessIdentity": raw["S3OriginConfig"].get("OriginAccessIdentity", "")
                }
            origin.origin_access_control_id = raw.get("OriginAccessControlId", "")
        return dist.distribution_id, {"DomainName": dist.domain_name, "Id": dist.distribution_id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.cloudfront.models import cloudfront_backends

        backend = cloudfront_backends[account_id][ACCOUNT_PARTITION]
        backend.distributions.pop(physical_id, None)


class OriginAccessControl(Extension):
    TYPE = "AWS::CloudFront::OriginAccessControl"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.cloudfront.models import cloudfront_backends

        backend = cloudfront_backends[account_id][ACCOUNT_PARTITION]
        control = backend.create_origin_access_control(dict(props["OriginAccessControlConfig"]))
        return control.id, {"Id": control.id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.cloudfront.models import cloudfront_backends

        cloudfront_backends[account_id][ACCOUNT_PARTITION].delete_origin_access_control(physical_id)


class CloudFrontOriginAccessIdentity(Extension):
    TYPE = "AWS::CloudFront::CloudFrontOriginAccessIdentity"
    STUB = True
    STUB_REASON = STUB_TYPES[TYPE]

    @classmethod
    def create(cls, props, account_id, region, name):
        identity = "E" + uuid.uuid4().hex[:13].upper()
        return identity, {"Id": identity, "S3CanonicalUserId": uuid.uuid4().hex * 2}


class ResponseHeadersPolicy(Extension):
    TYPE = "AWS::CloudFront::ResponseHeadersPolicy"
    STUB = True
    STUB_REASON = STUB_TYPES[TYPE]

    @classmethod
    def create(cls, props, account_id, region, name):
        policy_id = str(uuid.uuid4())
        return policy_id, {"Id": policy_id}


# ------------------------------------------------------------------------------------- RDS
class GlobalCluster(Extension):
    TYPE = "AWS::RDS::GlobalCluster"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.rds.models import rds_backends

        identifier = props.get("GlobalClusterIdentifier", name)
        rds_backends[account_id][region].create_global_cluster(
            global_cluster_identifier=identifier,
            source_db_cluster_identifier=props.get("SourceDBClusterIdentifier"),
            engine=props.get("Engine"),
            engine_version=props.get("EngineVersion"),
            storage_encrypted=props.get("StorageEncrypted"),
            deletion_protection=props.get("DeletionProtection"),
        )
        return identifier, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.rds.models import rds_backends

        rds_backends[account_id][region].delete_global_cluster(physical_id)


def _resolve_secret_references(value: Any, account_id: str, region: str) -> Any:
    """CloudFormation's ``{{resolve:secretsmanager:<id>:SecretString:<key>::}}``, from moto."""
    if not (isinstance(value, str) and value.startswith("{{resolve:secretsmanager:")):
        return value
    from moto.secretsmanager.models import secretsmanager_backends

    body = value[len("{{resolve:secretsmanager:") : -2]
    secret_id, _, rest = body.partition(":SecretString:")
    key = rest.split(":")[0]
    secret = secretsmanager_backends[account_id][region].get_secret_value(secret_id, None, None)
    secret_string = secret["SecretString"]
    return json.loads(secret_string)[key] if key else secret_string


class DBCluster(Extension):
    TYPE = "AWS::RDS::DBCluster"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.rds.models import rds_backends

        kwargs = _snake(props)
        kwargs.setdefault("db_cluster_identifier", _rds_identifier(name))
        if "master_user_password" in kwargs:
            kwargs["master_user_password"] = _resolve_secret_references(
                kwargs["master_user_password"], account_id, region
            )
        kwargs["tags"] = props.get("Tags", [])
        cluster = rds_backends[account_id][region].create_db_cluster(kwargs)
        return cluster.db_cluster_identifier, {
            "Endpoint.Address": cluster.endpoint,
            "Endpoint.Port": str(cluster.port),
            "ReadEndpoint.Address": cluster.reader_endpoint,
            "DBClusterArn": cluster.db_cluster_arn,
            "DBClusterResourceId": cluster.db_cluster_resource_id,
            # ManageMasterUserPassword: the secret moto's own model made for the cluster
            "MasterUserSecret.SecretArn": (
                cluster.master_user_secret.secret.arn
                if getattr(cluster, "master_user_secret", None)
                else None
            ),
        }

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.rds.models import rds_backends

        backend = rds_backends[account_id][region]
        cluster = backend.clusters.get(physical_id)
        if cluster is None:
            return
        if cluster.global_cluster_identifier:
            # CloudFormation detaches a member before deleting it; the global cluster may live
            # in another region's backend.
            # (moto's remove_from_global_cluster only finds members of its own region).
            for regional in rds_backends[account_id].values():
                global_cluster = regional.global_clusters.get(cluster.global_cluster_identifier)
                if global_cluster is not None and cluster in global_cluster.members:
                    global_cluster.members.remove(cluster)
            cluster.global_cluster_identifier = None
        backend.delete_db_cluster(physical_id)


def _rds_identifier(name: str) -> str:
    """A generated name made a valid RDS identifier (letters, digits, single hyphens, <= 63)."""
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", name.lower()))
    suffix = cleaned.rsplit("-", 1)[-1]
    head = cleaned[: 62 - len(suffix)].rstrip("-")
    return f"{head}-{suffix}" if head[:1].isalpha() else f"db-{head}-{suffix}"[:63]


class DBInstance(Extension):
    """Replaces moto's own template model, which ignores DBClusterIdentifier (so an Aurora
    instance fails on a missing default engine version) and expects its subnet group as an
    object; this one goes through moto's CreateDBInstance path, which handles cluster members.
    """

    TYPE = "AWS::RDS::DBInstance"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.rds.models import rds_backends

        kwargs = _snake(props)
        kwargs.setdefault("db_instance_identifier", _rds_identifier(name))
        kwargs["tags"] = props.get("Tags", [])
        database = rds_backends[account_id][region].create_db_instance(kwargs)
        return database.db_instance_identifier, {
            "Endpoint.Address": database.address,
            "Endpoint.Port": str(database.port),
            "DBInstanceArn": database.db_instance_arn,
        }

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.rds.models import rds_backends

        rds_backends[account_id][region].delete_db_instance(physical_id)


# -------------------------------------------------------------------------- SecretsManager
class Secret(Extension):
    TYPE = "AWS::SecretsManager::Secret"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[account_id][region]
        secret_string = props.get("SecretString")
        generate = props.get("GenerateSecretString")
        if generate is not None:
            password = json.loads(
                backend.get_random_password(
                    password_length=generate.get("PasswordLength", 32),
                    exclude_characters=generate.get("ExcludeCharacters", ""),
                    exclude_numbers=generate.get("ExcludeNumbers", False),
                    exclude_punctuation=generate.get("ExcludePunctuation", False),
                    exclude_uppercase=generate.get("ExcludeUppercase", False),
                    exclude_lowercase=generate.get("ExcludeLowercase", False),
                    include_space=generate.get("IncludeSpace", False),
                    require_each_included_type=True,
                )
            )["RandomPassword"]
            if "SecretStringTemplate" in generate or "GenerateStringKey" in generate:
                template = json.loads(generate.get("SecretStringTemplate", "{}"))
                template[generate.get("GenerateStringKey", "password")] = password
                secret_string = json.dumps(template)
            else:  # Secrets Manager stores the bare password (an ElastiCache AUTH token)
                secret_string = password
        secret_name = props.get("Name", name)
        backend.create_secret(
            name=secret_name,
            secret_string=secret_string,
            secret_binary=None,
            description=props.get("Description"),
            tags=props.get("Tags", []),
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        arn = backend.describe_secret(secret_name).arn
        return arn, {"Id": arn}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.secretsmanager.models import secretsmanager_backends

        secretsmanager_backends[account_id][region].delete_secret(
            physical_id, recovery_window_in_days=None, force_delete_without_recovery=True
        )


class SecretTargetAttachment(Extension):
    """Add the database's connection fields to the secret, as CloudFormation does."""

    TYPE = "AWS::SecretsManager::SecretTargetAttachment"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.rds.models import rds_backends
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[account_id][region]
        secret_id = props["SecretId"]
        value = json.loads(backend.get_secret_value(secret_id, None, None)["SecretString"])
        if props["TargetType"] == "AWS::RDS::DBCluster":
            cluster = rds_backends[account_id][region].clusters[props["TargetId"]]
            value.update(
                engine=cluster.engine.replace("aurora-", ""),
                host=cluster.endpoint,
                port=int(cluster.port),
                dbClusterIdentifier=cluster.db_cluster_identifier,
            )
        backend.put_secret_value(secret_id, json.dumps(value), None, None, None)
        return secret_id, {}


class SecretResourcePolicy(Extension):
    TYPE = "AWS::SecretsManager::ResourcePolicy"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.secretsmanager.models import secretsmanager_backends

        policy = props["ResourcePolicy"]
        secretsmanager_backends[account_id][region].put_resource_policy(
            props["SecretId"], policy if isinstance(policy, str) else json.dumps(policy)
        )
        return props["SecretId"], {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[account_id][region]
        if backend._is_valid_identifier(physical_id):
            backend.delete_resource_policy(physical_id)


class RotationSchedule(Extension):
    """The schedule is recorded in moto; the hosted rotation Lambda is not run (no Docker)."""

    TYPE = "AWS::SecretsManager::RotationSchedule"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[account_id][region]
        secret = backend.describe_secret(props["SecretId"])
        rules = props.get("RotationRules", {})
        expression = rules.get("ScheduleExpression", "")
        days = rules.get("AutomaticallyAfterDays")
        if days is None and expression.startswith("rate(") and "day" in expression:
            days = int(expression[5:].split()[0])
        secret.rotation_requested = True  # moto's DescribeSecret shows rotation only then
        secret.rotation_enabled = True
        secret.auto_rotate_after_days = days or 0
        secret.rotation_lambda_arn = props.get("RotationLambdaARN", "")
        return f"{secret.arn}|rotation", {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[account_id][region]
        secret_id = physical_id.split("|")[0]
        if backend._is_valid_identifier(secret_id):
            secret = backend.describe_secret(secret_id)
            secret.rotation_enabled = False


# ------------------------------------------------------------------------------- Scheduler
SCHEDULE_NAME_MAX = 64


def _schedule_name(name: str) -> str:
    """CloudFormation's generated name (``<stack>-<logical id>-<suffix>``) made a valid schedule
    name: letters, digits, ``-``, ``_`` and ``.``, at most 64; the stack part is cut, the
    suffix kept, so two schedules of one stack never share a name."""
    cleaned = re.sub(r"[^0-9A-Za-z_.-]", "-", name)
    head, _, suffix = cleaned.rpartition("-")
    if not head:
        return cleaned[:SCHEDULE_NAME_MAX]
    return f"{head[: SCHEDULE_NAME_MAX - 1 - len(suffix)].rstrip('-')}-{suffix}"


def _epoch(value: Any) -> Any:
    """A template timestamp (ISO 8601) as the epoch seconds the Scheduler API sends moto."""
    if not isinstance(value, str):
        return value
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class Schedule(Extension):
    """moto 5.2.5 has EventBridge Scheduler's API and model but no CloudFormation model for
    ``AWS::Scheduler::Schedule`` (moto's CreateStack skips it): the template's properties go
    straight to moto's own ``EventBridgeSchedulerBackend.create_schedule``, as the Scheduler API
    would take them. Ref: the schedule's name; Fn::GetAtt Arn. Nothing fires: moto's scheduler
    stores schedules, it never invokes their target."""

    TYPE = "AWS::Scheduler::Schedule"

    @staticmethod
    def _backend(account_id: str, region: str) -> Any:
        from moto.scheduler.models import scheduler_backends

        return scheduler_backends[account_id][region]

    @classmethod
    def create(cls, props, account_id, region, name):
        schedule = cls._backend(account_id, region).create_schedule(
            description=props.get("Description"),
            end_date=_epoch(props.get("EndDate")),
            flexible_time_window=dict(props["FlexibleTimeWindow"]),
            group_name=props.get("GroupName") or "default",
            kms_key_arn=props.get("KmsKeyArn"),
            name=props.get("Name") or _schedule_name(name),
            schedule_expression=props["ScheduleExpression"],
            schedule_expression_timezone=props.get("ScheduleExpressionTimezone"),
            start_date=_epoch(props.get("StartDate")),
            state=props.get("State"),
            # a copy: moto adds its default RetryPolicy to the target it is given
            target=json.loads(json.dumps(props["Target"])),
            action_after_completion=None,  # not a CloudFormation property
        )
        return schedule.name, {"Arn": schedule.arn}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        backend = cls._backend(account_id, region)
        group = backend.schedule_groups.get(props.get("GroupName") or "default")
        if group is not None and physical_id in group.schedules:  # else it went with its group
            backend.delete_schedule(group.name, physical_id)


# ------------------------------------------------------------------------------- Route 53
def _route53(account_id: str) -> Any:
    from moto.route53.models import route53_backends

    return route53_backends[account_id][ACCOUNT_PARTITION]


def _route53_tags(account_id: str, kind: str, resource_id: str, tags: list[dict]) -> None:
    if tags:
        _route53(account_id).change_tags_for_resource(kind, resource_id, list(tags), [])


class HostedZone(Extension):
    """Replaces moto's template model, which makes every zone public, ignores ``VPCs``,
    ``HostedZoneConfig`` and ``HostedZoneTags``, and never deletes the zone: moto's backend
    CreateHostedZone with the template's name, comment and first VPC (private when ``VPCs`` is
    set, as Route 53 makes it), AssociateVPCWithHostedZone for each further VPC,
    ChangeTagsForResource for the tags. Ref: the zone id; Fn::GetAtt Id, NameServers. Delete:
    DeleteHostedZone, which moto (like Route 53) refuses while records other than SOA and NS
    remain: moto's delete loop tries again once the stack's record sets are gone."""

    TYPE = "AWS::Route53::HostedZone"

    @classmethod
    def create(cls, props, account_id, region, name):
        backend = _route53(account_id)
        vpcs = list(props.get("VPCs", []))
        zone_name = props["Name"] if props["Name"].endswith(".") else props["Name"] + "."
        zone = backend.create_hosted_zone(
            zone_name,
            private_zone=bool(vpcs),
            caller_reference=name,
            vpcid=vpcs[0]["VPCId"] if vpcs else None,
            vpcregion=vpcs[0]["VPCRegion"] if vpcs else None,
            comment=props.get("HostedZoneConfig", {}).get("Comment"),
        )
        for vpc in vpcs[1:]:
            backend.associate_vpc_with_hosted_zone(zone.resource_id, vpc["VPCId"], vpc["VPCRegion"])
        _route53_tags(account_id, "hostedzone", zone.resource_id, props.get("HostedZoneTags", []))
        servers = [] if vpcs else list(zone.delegation_set.name_servers)
        return zone.resource_id, {"Id": zone.resource_id, "NameServers": servers}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        backend = _route53(account_id)
        if physical_id in backend.zones:
            backend.delete_hosted_zone(physical_id)


class HealthCheck(Extension):
    """Replaces moto's template model, which passes eight HealthCheckConfig fields (not
    Inverted, MeasureLatency, EnableSNI, Disabled, HealthThreshold, ChildHealthChecks,
    Regions), ignores HealthCheckTags and never deletes the check: moto's backend
    CreateHealthCheck with the whole config, as moto's CreateHealthCheck API maps it, and
    ChangeTagsForResource; Ref the check's id; delete DeleteHealthCheck."""

    TYPE = "AWS::Route53::HealthCheck"

    @classmethod
    def create(cls, props, account_id, region, name):
        config = props["HealthCheckConfig"]
        args = {
            "ip_address": config.get("IPAddress"),
            "port": config.get("Port"),
            "type": config["Type"],
            "resource_path": config.get("ResourcePath"),
            "fqdn": config.get("FullyQualifiedDomainName"),
            "search_string": config.get("SearchString"),
            "request_interval": config.get("RequestInterval"),
            "failure_threshold": config.get("FailureThreshold"),
            "health_threshold": config.get("HealthThreshold"),
            "measure_latency": config.get("MeasureLatency"),
            "inverted": config.get("Inverted"),
            "disabled": config.get("Disabled"),
            "enable_sni": config.get("EnableSNI"),
            "children": config.get("ChildHealthChecks", []),
            "regions": config.get("Regions", []),
        }
        check = _route53(account_id).create_health_check(name, args)
        _route53_tags(account_id, "healthcheck", check.id, props.get("HealthCheckTags", []))
        return check.id, {"HealthCheckId": check.id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _route53(account_id).delete_health_check(physical_id)


# --------------------------------------------------------------------------------- RDS (more)
class DBClusterParameterGroup(Extension):
    """moto 5.2.5 has DB cluster parameter groups but no CloudFormation model for them: moto's
    backend CreateDBClusterParameterGroup (Family, Description, Tags; the name the template's
    or one CloudFormation would make, lower case) and ModifyDBClusterParameterGroup with the
    template's Parameters; Ref the name; delete DeleteDBClusterParameterGroup."""

    TYPE = "AWS::RDS::DBClusterParameterGroup"

    @classmethod
    def create(cls, props, account_id, region, name):
        from moto.rds.models import rds_backends

        backend = rds_backends[account_id][region]
        group_name = (props.get("DBClusterParameterGroupName") or _rds_identifier(name)).lower()
        backend.create_db_cluster_parameter_group(
            db_cluster_parameter_group_name=group_name,
            db_parameter_group_family=props["Family"],
            description=props["Description"],
            tags=props.get("Tags", []),
        )
        parameters = props.get("Parameters") or {}
        if parameters:
            backend.modify_db_cluster_parameter_group(
                group_name,
                [
                    {"ParameterName": key, "ParameterValue": str(value), "ApplyMethod": "immediate"}
                    for key, value in parameters.items()
                ],
            )
        return group_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.rds.models import rds_backends

        backend = rds_backends[account_id][region]
        if physical_id in backend.db_cluster_parameter_groups:
            backend.delete_db_cluster_parameter_group(physical_id)


# ------------------------------------------------------------------------------ ElastiCache
def _elasticache(account_id: str, region: str) -> Any:
    from moto.elasticache.models import elasticache_backends

    return elasticache_backends[account_id][region]


class CacheSubnetGroup(Extension):
    """moto 5.2.5 has ElastiCache subnet groups but no CloudFormation model for them: moto's
    backend CreateCacheSubnetGroup with the template's description, subnets and tags (the name
    the template's or one CloudFormation would make, lower case); Ref the name. moto has no
    DeleteCacheSubnetGroup: delete drops it from moto's backend."""

    TYPE = "AWS::ElastiCache::SubnetGroup"

    @classmethod
    def create(cls, props, account_id, region, name):
        group_name = (props.get("CacheSubnetGroupName") or _generated_name(name, 255)).lower()
        _elasticache(account_id, region).create_cache_subnet_group(
            cache_subnet_group_name=group_name,
            cache_subnet_group_description=props["Description"],
            subnet_ids=list(props["SubnetIds"]),
            tags=props.get("Tags", []),
        )
        return group_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _elasticache(account_id, region).cache_subnet_groups.pop(physical_id, None)


class CacheReplicationGroup(Extension):
    """moto 5.2.5 has ElastiCache replication groups but no CloudFormation model for them:
    moto's backend CreateReplicationGroup with the template's properties, as moto's API maps
    them (the AUTH token's ``{{resolve:secretsmanager}}`` resolved from moto's secret); Ref the
    group's id; Fn::GetAtt the primary, reader and configuration endpoints from moto's model.
    moto's DeleteReplicationGroup only marks the group "deleting": delete drops it from moto's
    backend, as ElastiCache does once it is gone."""

    TYPE = "AWS::ElastiCache::ReplicationGroup"
    LISTS = ("preferred_cache_cluster_azs", "node_group_configuration", "user_group_ids")

    @classmethod
    def create(cls, props, account_id, region, name):
        identifier = (props.get("ReplicationGroupId") or _rds_identifier(name)[:40]).rstrip("-")
        # the template's names are the API's (MultiAZEnabled, PreferredCacheClusterAZs): match
        # them to moto's parameters case- and underscore-blind
        by_name = {key.lower(): value for key, value in props.items()}
        kwargs = {
            key: by_name.get(key.replace("_", ""))
            for key in cls._parameters()
            if key not in ("replication_group_id", "replication_group_description")
        }
        for key in cls.LISTS:
            kwargs[key] = list(kwargs.get(key) or [])
        for key in ("num_cache_clusters", "num_node_groups", "replicas_per_node_group", "port"):
            if kwargs.get(key) is not None:
                kwargs[key] = int(kwargs[key])
        if kwargs.get("snapshot_retention_limit") is not None:
            kwargs["snapshot_retention_limit"] = int(kwargs["snapshot_retention_limit"])
        for key in (
            "automatic_failover_enabled",
            "multi_az_enabled",
            "transit_encryption_enabled",
            "at_rest_encryption_enabled",
            "auto_minor_version_upgrade",
            "data_tiering_enabled",
        ):
            if kwargs.get(key) is not None:
                kwargs[key] = _bool_text(kwargs[key]) == "true"
        kwargs["auth_token"] = _resolve_secret_references(
            props.get("AuthToken"), account_id, region
        )
        kwargs["log_delivery_configurations"] = list(props.get("LogDeliveryConfigurations") or [])
        kwargs["tags"] = props.get("Tags", [])
        group = _elasticache(account_id, region).create_replication_group(
            replication_group_id=identifier,
            replication_group_description=props["ReplicationGroupDescription"],
            **kwargs,
        )
        return identifier, cls._endpoints(group)

    @staticmethod
    def _parameters() -> list[str]:
        import inspect

        from moto.elasticache.models import ElastiCacheBackend

        signature = inspect.signature(ElastiCacheBackend.create_replication_group)
        return [name for name in signature.parameters if name != "self"]

    @staticmethod
    def _endpoints(group: Any) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        node = group.node_groups[0] if group.node_groups else {}
        if "primary_endpoint_address" in node:
            attributes.update(
                {
                    "PrimaryEndPoint.Address": node["primary_endpoint_address"],
                    "PrimaryEndPoint.Port": str(node["port"]),
                    "ReaderEndPoint.Address": node["reader_endpoint_address"],
                    "ReaderEndPoint.Port": str(node["port"]),
                }
            )
        configuration = getattr(group, "configuration_endpoint", None)
        if configuration:
            attributes["ConfigurationEndPoint.Address"] = configuration["address"]
            attributes["ConfigurationEndPoint.Port"] = str(configuration["port"])
        return attributes

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _elasticache(account_id, region).replication_groups.pop(physical_id, None)


# ------------------------------------------------------------------ moto's own API, in process
# The types below call moto's own API (boto3, against this very server, as aws-cdk-lib's
# handlers do): the template's properties are, nearly verbatim, that API's parameters, and
# moto's request parsing and validation see exactly what a deployment's API call would send.
# The CreateStack request that runs them is still in flight; moto's server serves each request
# on its own thread (see DeployedHandler).
_API_LOCK = threading.Lock()
_API_CLIENTS: dict[tuple[str, str], Any] = {}
# One botocore session for every client: its loader reads each service model and the endpoint
# rules once (a session per client read them again each time, about 6 % of the proof's server
# time). Clients are made under _API_LOCK: a session is not thread-safe.
_API_SESSION: list[Any] = []


def _api(service: str, region: str) -> Any:
    """A boto3 client for this moto server's own API (one per service and region)."""
    port, cert = _emulator_endpoint()
    with _API_LOCK:
        if (service, region) not in _API_CLIENTS:
            import boto3
            import botocore.session
            from botocore.config import Config

            if not _API_SESSION:
                _API_SESSION.append(
                    boto3.session.Session(botocore_session=botocore.session.get_session())
                )
            _API_CLIENTS[(service, region)] = _API_SESSION[0].client(
                service,
                region_name=region,
                endpoint_url=f"https://127.0.0.1:{port}",
                verify=cert,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(retries={"max_attempts": 1}, proxies={}),
            )
        return _API_CLIENTS[(service, region)]


def _generated_name(name: str, limit: int, allowed: str = r"[^0-9A-Za-z_-]") -> str:
    """CloudFormation's generated name (``<stack>-<logical id>-<suffix>``), made valid and cut
    to ``limit``: the stack part is cut, the suffix kept."""
    cleaned = re.sub(allowed, "-", name)
    head, _, suffix = cleaned.rpartition("-")
    if not head:
        return cleaned[:limit]
    return f"{head[: limit - 1 - len(suffix)].rstrip('-')}-{suffix}"


def _json_text(value: Any) -> str:
    """A template's JSON-typed property as the string the API takes."""
    return value if isinstance(value, str) else json.dumps(value)


def _bool_text(value: Any) -> str:
    return "true" if str(value).lower() == "true" else "false"


def _queue_url_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _region_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


# -------------------------------------------------------------------------------------- SQS
class QueuePolicy(Extension):
    """moto 5.2.5 has no CloudFormation model for queue policies: SetQueueAttributes(Policy) on
    each queue of ``Queues``; delete sets it empty again (as deleting the resource does)."""

    TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(cls, props, account_id, region, name):
        document = _json_text(props["PolicyDocument"])
        for url in props["Queues"]:
            _api("sqs", region).set_queue_attributes(QueueUrl=url, Attributes={"Policy": document})
        return f"{name}-{uuid.uuid4().hex[:12]}", {"Id": name}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[account_id][region]
        for url in props["Queues"]:
            if _queue_url_name(url) in backend.queues:  # else it went with its queue
                _api("sqs", region).set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})


def install_fifo_queue_names() -> None:
    """CloudFormation names a FIFO queue without QueueName ``<stack>-<logical id>-<suffix>.fifo``
    (SQS requires the suffix); moto's generated name lacks it, so moto's own Queue model refuses
    its own name. The name only: the queue is moto's model, made from the template's properties."""
    from moto.sqs.models import Queue

    moto_create = Queue.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        fifo = str(props.get("FifoQueue", "false")).lower() == "true"
        if fifo and "QueueName" not in props and not resource_name.endswith(".fifo"):
            resource_name = _generated_name(str(resource_name), 75) + ".fifo"
        return moto_create(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    Queue.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


# -------------------------------------------------------------------------------------- SNS
class TopicPolicy(Extension):
    """moto 5.2.5 has no CloudFormation model for topic policies: SetTopicAttributes(Policy) on
    each topic of ``Topics``; delete gives the topic moto's default policy back."""

    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, props, account_id, region, name):
        document = _json_text(props["PolicyDocument"])
        for arn in props["Topics"]:
            _api("sns", _region_of_arn(arn, region)).set_topic_attributes(
                TopicArn=arn, AttributeName="Policy", AttributeValue=document
            )
        return f"{name}-{uuid.uuid4().hex[:12]}", {"Id": name}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.sns.models import sns_backends

        for arn in props["Topics"]:
            backend = sns_backends[account_id][_region_of_arn(arn, region)]
            topic = backend.topics.get(arn)
            if topic is not None:  # else it went with its topic
                topic._policy_json = topic._create_default_topic_policy(
                    topic.region, account_id, topic.name
                )


class Subscription(Extension):
    """moto 5.2.5 has no CloudFormation model for subscriptions: Subscribe with the template's
    attributes (FilterPolicyScope, FilterPolicy, RawMessageDelivery, RedrivePolicy,
    DeliveryPolicy, SubscriptionRoleArn); Ref is the subscription's ARN; delete Unsubscribes.
    RawMessageDelivery false is left out: it is the default, and moto would read the string
    "false" as true when it delivers."""

    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = (
        "FilterPolicyScope",
        "FilterPolicy",
        "RawMessageDelivery",
        "RedrivePolicy",
        "DeliveryPolicy",
        "SubscriptionRoleArn",
    )

    @classmethod
    def create(cls, props, account_id, region, name):
        attributes = {}
        for key in cls.ATTRIBUTES:
            if key not in props:
                continue
            value = props[key]
            if key == "RawMessageDelivery":
                if _bool_text(value) == "false":
                    continue
                value = "true"
            attributes[key] = value if isinstance(value, str) else _json_text(value)
        topic_region = props.get("Region") or _region_of_arn(props["TopicArn"], region)
        arn = _api("sns", topic_region).subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return arn, {"Arn": arn}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        topic_region = props.get("Region") or _region_of_arn(props["TopicArn"], region)
        _api("sns", topic_region).unsubscribe(SubscriptionArn=physical_id)


# ------------------------------------------------------------------------------- CloudWatch
class Alarm(Extension):
    """moto 5.2.5 has CloudWatch alarms but no CloudFormation model for them: PutMetricAlarm
    with the template's properties (the API's own names); Ref the alarm name, Fn::GetAtt Arn;
    delete DeleteAlarms. moto stores the alarm; it never evaluates it."""

    TYPE = "AWS::CloudWatch::Alarm"
    INTS = ("Period", "EvaluationPeriods", "DatapointsToAlarm")
    SAME = (
        "AlarmDescription",
        "ActionsEnabled",
        "AlarmActions",
        "OKActions",
        "InsufficientDataActions",
        "MetricName",
        "Namespace",
        "Statistic",
        "ExtendedStatistic",
        "Dimensions",
        "Unit",
        "ComparisonOperator",
        "TreatMissingData",
        "EvaluateLowSampleCountPercentile",
        "ThresholdMetricId",
        "Metrics",
        "Tags",
    )

    @classmethod
    def create(cls, props, account_id, region, name):
        alarm_name = props.get("AlarmName") or _generated_name(name, 255, r"[^0-9A-Za-z_.-]")
        kwargs: dict[str, Any] = {"AlarmName": alarm_name}
        kwargs.update({k: props[k] for k in cls.SAME if k in props})
        kwargs.update({k: int(props[k]) for k in cls.INTS if k in props})
        if "Threshold" in props:
            kwargs["Threshold"] = float(props["Threshold"])
        if "ActionsEnabled" in kwargs:
            kwargs["ActionsEnabled"] = _bool_text(kwargs["ActionsEnabled"]) == "true"
        _api("cloudwatch", region).put_metric_alarm(**kwargs)
        arn = f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm_name}"
        return alarm_name, {"Arn": arn}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _api("cloudwatch", region).delete_alarms(AlarmNames=[physical_id])


# ------------------------------------------------------------------------------------- Logs
class LogStream(Extension):
    """moto 5.2.5 has CloudWatch Logs streams but no CloudFormation model for them:
    CreateLogStream in the template's log group; Ref the stream's name; delete DeleteLogStream
    (unless its group went first and took it along)."""

    TYPE = "AWS::Logs::LogStream"

    @classmethod
    def create(cls, props, account_id, region, name):
        stream_name = props.get("LogStreamName") or _generated_name(name, 512, r"[:*]")
        _api("logs", region).create_log_stream(
            logGroupName=props["LogGroupName"], logStreamName=stream_name
        )
        return stream_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.logs.models import logs_backends

        if props["LogGroupName"] in logs_backends[account_id][region].groups:
            _api("logs", region).delete_log_stream(
                logGroupName=props["LogGroupName"], logStreamName=physical_id
            )


# ---------------------------------------------------------------------------------- Kinesis
def _complete_stream(stream: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto's Stream model reads ShardCount and RetentionPeriodHours only: StreamModeDetails
    through UpdateStreamMode, StreamEncryption through StartStreamEncryption (moto's API)."""
    kinesis = _api("kinesis", region)
    mode = props.get("StreamModeDetails", {}).get("StreamMode")
    if mode:
        kinesis.update_stream_mode(StreamARN=stream.arn, StreamModeDetails={"StreamMode": mode})
    encryption = props.get("StreamEncryption")
    if encryption:
        kinesis.start_stream_encryption(
            StreamName=stream.stream_name,
            EncryptionType=encryption["EncryptionType"],
            KeyId=encryption["KeyId"],
        )


# --------------------------------------------------------------------------------- Firehose
class DeliveryStream(Extension):
    """moto 5.2.5 has Firehose but no CloudFormation model for it: CreateDeliveryStream with the
    template's properties (the API's own names); Ref the name, Fn::GetAtt Arn; delete
    DeleteDeliveryStream. moto's Firehose never reads a Kinesis source: records reach the S3
    destination only through PutRecord/PutRecordBatch on the delivery stream itself."""

    TYPE = "AWS::KinesisFirehose::DeliveryStream"
    SAME = (
        "DeliveryStreamType",
        "KinesisStreamSourceConfiguration",
        "DeliveryStreamEncryptionConfigurationInput",
        "S3DestinationConfiguration",
        "ExtendedS3DestinationConfiguration",
        "RedshiftDestinationConfiguration",
        "ElasticsearchDestinationConfiguration",
        "SplunkDestinationConfiguration",
        "HttpEndpointDestinationConfiguration",
        "Tags",
    )

    @classmethod
    def create(cls, props, account_id, region, name):
        stream_name = props.get("DeliveryStreamName") or _generated_name(name, 64)
        kwargs = {k: props[k] for k in cls.SAME if k in props}
        arn = _api("firehose", region).create_delivery_stream(
            DeliveryStreamName=stream_name, **kwargs
        )["DeliveryStreamARN"]
        return stream_name, {"Arn": arn}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _api("firehose", region).delete_delivery_stream(DeliveryStreamName=physical_id)


# ------------------------------------------------------------------------------------- Glue
class GlueDatabase(Extension):
    """moto 5.2.5 has the Glue Data Catalog but no CloudFormation model for it: CreateDatabase
    with the template's DatabaseInput; Ref the name; delete DeleteDatabase."""

    TYPE = "AWS::Glue::Database"

    @classmethod
    def create(cls, props, account_id, region, name):
        database_input = dict(props.get("DatabaseInput") or {})
        database_name = (
            database_input.get("Name")
            or props.get("DatabaseName")
            or _generated_name(name.lower(), 255, r"[^0-9a-z_-]")
        )
        database_input["Name"] = database_name
        _api("glue", region).create_database(DatabaseInput=database_input)
        return database_name, {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.glue.models import glue_backends

        if physical_id in glue_backends[account_id][region].databases:
            _api("glue", region).delete_database(Name=physical_id)


class GlueTable(Extension):
    """moto 5.2.5 has the Glue Data Catalog but no CloudFormation model for it: CreateTable with
    the template's DatabaseName and TableInput; Ref the name; delete DeleteTable (unless its
    database went first and took it along)."""

    TYPE = "AWS::Glue::Table"

    @classmethod
    def create(cls, props, account_id, region, name):
        table_input = dict(props["TableInput"])
        table_input.setdefault("Name", _generated_name(name.lower(), 255, r"[^0-9a-z_-]"))
        kwargs: dict[str, Any] = {"DatabaseName": props["DatabaseName"], "TableInput": table_input}
        if "OpenTableFormatInput" in props:
            kwargs["OpenTableFormatInput"] = props["OpenTableFormatInput"]
        _api("glue", region).create_table(**kwargs)
        return table_input["Name"], {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.glue.models import glue_backends

        database = glue_backends[account_id][region].databases.get(props["DatabaseName"])
        if database is not None and physical_id in database.tables:
            _api("glue", region).delete_table(DatabaseName=props["DatabaseName"], Name=physical_id)


# ----------------------------------------------------------------------------------- Athena
class AthenaWorkGroup(Extension):
    """moto 5.2.5 has Athena but no CloudFormation model for it: CreateWorkGroup with the
    template's Name, Description, WorkGroupConfiguration (the API's Configuration) and Tags;
    Ref the name; delete DeleteWorkGroup."""

    TYPE = "AWS::Athena::WorkGroup"

    @classmethod
    def create(cls, props, account_id, region, name):
        kwargs: dict[str, Any] = {"Name": props["Name"]}
        if "Description" in props:
            kwargs["Description"] = props["Description"]
        if "WorkGroupConfiguration" in props:
            kwargs["Configuration"] = props["WorkGroupConfiguration"]
        if props.get("Tags"):
            kwargs["Tags"] = props["Tags"]
        _api("athena", region).create_work_group(**kwargs)
        return props["Name"], {}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        _api("athena", region).delete_work_group(
            WorkGroup=physical_id,
            RecursiveDeleteOption=_bool_text(props.get("RecursiveDeleteOption")) == "true",
        )


class AthenaNamedQuery(Extension):
    """moto 5.2.5 has Athena but no CloudFormation model for it: CreateNamedQuery with the
    template's properties; Ref the query id. moto has no DeleteNamedQuery: delete drops the
    query from moto's backend (a deletion only; nothing of it is compared)."""

    TYPE = "AWS::Athena::NamedQuery"

    @classmethod
    def create(cls, props, account_id, region, name):
        kwargs: dict[str, Any] = {
            "Name": props.get("Name") or name,
            "Database": props["Database"],
            "QueryString": props["QueryString"],
            "WorkGroup": props.get("WorkGroup", "primary"),
        }
        if "Description" in props:
            kwargs["Description"] = props["Description"]
        query_id = _api("athena", region).create_named_query(**kwargs)["NamedQueryId"]
        return query_id, {"NamedQueryId": query_id}

    @classmethod
    def remove(cls, physical_id, props, account_id, region):
        from moto.athena.models import athena_backends

        athena_backends[account_id][region].named_queries.pop(physical_id, None)


# ----------------------------------------------------------------------- S3, through its API
def _cfn_filter_to_api(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule's Prefix / TagFilters / object sizes as the API's Filter."""
    parts: dict[str, Any] = {}
    if "Prefix" in rule:
        parts["Prefix"] = rule["Prefix"]
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    for key in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if key in rule:
            parts[key] = int(rule[key])
    if not tags and len(parts) <= 1:
        return parts or {"Prefix": ""}
    if len(tags) == 1 and not parts:
        return {"Tag": tags[0]}
    return {"And": dict(parts, **({"Tags": tags} if tags else {}))}


def _lifecycle_rule_to_api(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule as PutBucketLifecycleConfiguration takes it."""
    out: dict[str, Any] = {"Status": rule["Status"], "Filter": _cfn_filter_to_api(rule)}
    if "Id" in rule:
        out["ID"] = rule["Id"]
    expiration: dict[str, Any] = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if "ExpirationDate" in rule:
        expiration["Date"] = rule["ExpirationDate"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = (
            _bool_text(rule["ExpiredObjectDeleteMarker"]) == "true"
        )
    if expiration:
        out["Expiration"] = expiration
    transitions = list(rule.get("Transitions", [])) + (
        [rule["Transition"]] if "Transition" in rule else []
    )
    if transitions:
        out["Transitions"] = [
            {"StorageClass": t["StorageClass"]}
            | ({"Days": int(t["TransitionInDays"])} if "TransitionInDays" in t else {})
            | ({"Date": t["TransitionDate"]} if "TransitionDate" in t else {})
            for t in transitions
        ]
    noncurrent = list(rule.get("NoncurrentVersionTransitions", [])) + (
        [rule["NoncurrentVersionTransition"]] if "NoncurrentVersionTransition" in rule else []
    )
    if noncurrent:
        out["NoncurrentVersionTransitions"] = [
            {"StorageClass": t["StorageClass"], "NoncurrentDays": int(t["TransitionInDays"])}
            | (
                {"NewerNoncurrentVersions": int(t["NewerNoncurrentVersions"])}
                if "NewerNoncurrentVersions" in t
                else {}
            )
            for t in noncurrent
        ]
    expire = rule.get("NoncurrentVersionExpiration")
    if expire is None and "NoncurrentVersionExpirationInDays" in rule:
        expire = {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
    if expire is not None:
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(expire["NoncurrentDays"])} | (
            {"NewerNoncurrentVersions": int(expire["NewerNoncurrentVersions"])}
            if "NewerNoncurrentVersions" in expire
            else {}
        )
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(
                rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
            )
        }
    return out


def _replication_filter_to_api(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "Prefix" in value:
        out["Prefix"] = value["Prefix"]
    if "TagFilter" in value:
        out["Tag"] = value["TagFilter"]
    if "And" in value:
        both = value["And"]
        out["And"] = {k: v for k, v in both.items() if k == "Prefix"}
        if "TagFilters" in both:
            out["And"]["Tags"] = both["TagFilters"]
    return out


def _replication_to_api(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ReplicationConfiguration as PutBucketReplication's (Id -> ID,
    TagFilter(s) -> Tag(s); the rest has the API's own names)."""
    rules = []
    for rule in config["Rules"]:
        out = {k: v for k, v in rule.items() if k not in ("Id", "Filter", "Priority")}
        if "Id" in rule:
            out["ID"] = rule["Id"]
        if "Priority" in rule:
            out["Priority"] = int(rule["Priority"])
        if "Filter" in rule:
            out["Filter"] = _replication_filter_to_api(rule["Filter"])
        rules.append(out)
    return {"Role": config["Role"], "Rules": rules}


def _notifications_to_api(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration as PutBucketNotificationConfiguration's."""

    def item(entry: dict[str, Any], arn_key: str, cfn_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {arn_key: entry[cfn_key], "Events": [entry["Event"]]}
        rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            out["Filter"] = {"Key": {"FilterRules": rules}}
        return out

    out: dict[str, Any] = {}
    for cfn, api, arn_key, cfn_key in (
        ("TopicConfigurations", "TopicConfigurations", "TopicArn", "Topic"),
        ("QueueConfigurations", "QueueConfigurations", "QueueArn", "Queue"),
        ("LambdaConfigurations", "LambdaFunctionConfigurations", "LambdaFunctionArn", "Function"),
    ):
        if config.get(cfn):
            out[api] = [item(entry, arn_key, cfn_key) for entry in config[cfn]]
    if _bool_text(config.get("EventBridgeConfiguration", {}).get("EventBridgeEnabled")) == "true":
        out["EventBridgeConfiguration"] = {}
    return out


# Buckets whose LoggingConfiguration moto refused because the target bucket's policy does not
# (yet) grant logging.s3.amazonaws.com: CloudFormation creates the log bucket's policy beside
# the source bucket, moto checks it at PutBucketLogging. BucketPolicy applies them once the
# target's policy is there: target bucket -> [(source bucket, region, BucketLoggingStatus)].
_PENDING_LOGGING: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
_PENDING_LOCK = threading.Lock()


def _put_logging(bucket: str, region: str, status: dict[str, Any]) -> bool:
    from botocore.exceptions import ClientError

    try:
        _api("s3", region).put_bucket_logging(Bucket=bucket, BucketLoggingStatus=status)
    except ClientError as error:
        if error.response["Error"]["Code"] != "InvalidTargetBucketForLogging":
            raise
        return False
    return True


def _apply_pending_logging(target: str) -> None:
    with _PENDING_LOCK:
        pending = _PENDING_LOGGING.pop(target, [])
    for bucket, region, status in pending:
        if not _put_logging(bucket, region, status):
            raise RuntimeError(
                f"PutBucketLogging {bucket}: the target bucket {target}'s policy does not grant "
                "logging.s3.amazonaws.com s3:PutObject"
            )


def _complete_bucket_api(bucket: Any, props: dict[str, Any], region: str) -> None:
    """The bucket's sub-resources moto's Bucket model ignores, through moto's S3 API (the calls
    CloudFormation makes): ownership controls, versioning, Object Lock, lifecycle, replication,
    logging, notifications."""
    name = bucket.name
    s3 = _api("s3", region)
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(
            Bucket=name,
            OwnershipControls={
                "Rules": [
                    {"ObjectOwnership": r["ObjectOwnership"]}
                    for r in props["OwnershipControls"]["Rules"]
                ]
            },
        )
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(
            Bucket=name,
            VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]},
        )
    lock = props.get("ObjectLockConfiguration") or {}
    if _bool_text(props.get("ObjectLockEnabled")) == "true" or lock:
        config: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
        retention = lock.get("Rule", {}).get("DefaultRetention")
        if retention:
            config["Rule"] = {
                "DefaultRetention": {"Mode": retention["Mode"]}
                | {k: int(retention[k]) for k in ("Days", "Years") if k in retention}
            }
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=config)
    if "LifecycleConfiguration" in props:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [
                    _lifecycle_rule_to_api(r) for r in props["LifecycleConfiguration"]["Rules"]
                ]
            },
        )
    if "ReplicationConfiguration" in props:
        s3.put_bucket_replication(
            Bucket=name,
            ReplicationConfiguration=_replication_to_api(props["ReplicationConfiguration"]),
        )
    if "LoggingConfiguration" in props:
        logging = props["LoggingConfiguration"]
        target = logging.get("DestinationBucketName") or name
        enabled: dict[str, Any] = {
            "TargetBucket": target,
            "TargetPrefix": logging.get("LogFilePrefix", ""),
        }
        if "TargetObjectKeyFormat" in logging:
            enabled["TargetObjectKeyFormat"] = logging["TargetObjectKeyFormat"]
        status = {"LoggingEnabled": enabled}
        if not _put_logging(name, region, status):
            with _PENDING_LOCK:
                _PENDING_LOGGING.setdefault(target, []).append((name, region, status))
    if "NotificationConfiguration" in props:
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration=_notifications_to_api(props["NotificationConfiguration"]),
        )


class S3BucketNotifications(CdkHandlerResource):
    """aws-cdk's custom resource, its Python handler (inline in the template) run for real: on
    create it merges the template's notification configuration into the bucket's
    (GetBucketNotificationConfiguration, PutBucketNotificationConfiguration); on delete it
    removes what it added."""

    TYPE = "Custom::S3BucketNotifications"
    FUNCTION_HANDLER = "index.handler"
    CALL = "index.handler"


EXTENSIONS: tuple[type[Extension], ...] = (
    SubnetRouteTableAssociation,
    SecurityGroupEgress,
    VpcRestrictDefaultSG,
    ScalingPolicy,
    ApiGatewayStage,
    ApiGatewayRequestValidator,
    ApiGatewayModel,
    BucketPolicy,
    S3AutoDeleteObjects,
    CDKBucketDeployment,
    Distribution,
    OriginAccessControl,
    CloudFrontOriginAccessIdentity,
    ResponseHeadersPolicy,
    GlobalCluster,
    DBCluster,
    DBInstance,
    Secret,
    SecretTargetAttachment,
    SecretResourcePolicy,
    RotationSchedule,
    Schedule,
    QueuePolicy,
    TopicPolicy,
    Subscription,
    Alarm,
    LogStream,
    DeliveryStream,
    GlueDatabase,
    GlueTable,
    AthenaWorkGroup,
    AthenaNamedQuery,
    S3BucketNotifications,
    EIPAssociation,
    HostedZone,
    HealthCheck,
    DBClusterParameterGroup,
    CacheSubnetGroup,
    CacheReplicationGroup,
)
BY_TYPE: dict[str, type[Extension]] = {ext.TYPE: ext for ext in EXTENSIONS}
if {ext.TYPE: ext.STUB_REASON for ext in EXTENSIONS if ext.STUB} != STUB_TYPES:
    raise RuntimeError("tests/emulator/stubs.py and the STUB extensions disagree")
if {ext.TYPE for ext in EXTENSIONS if issubclass(ext, CdkHandlerResource)} != HANDLERS_RUN:
    raise RuntimeError("tests/emulator/stubs.py HANDLERS_RUN and the handler extensions disagree")


# ----------------------------------------------------------------------------- deletions
# Types moto creates from a template but never deletes on DeleteStack (their CloudFormation
# model has no delete): each entry deletes one through moto's backend, as CloudFormation would.
def _ec2(account_id: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def _delete_nat_gateway(nat: Any, account_id: str, region: str) -> None:
    backend = _ec2(account_id, region)
    backend.delete_nat_gateway(nat.id)
    eni = getattr(nat, "_eni", None)
    if eni is not None:
        for address in backend.addresses:
            if address.eni is eni:
                address.eni = None
                address.association_id = None
        backend.delete_network_interface(eni.id)
    backend.nat_gateways.pop(nat.id, None)


def _delete_route(route: Any, account_id: str, region: str) -> None:
    # Deleting the route table first takes its routes with it.
    if route.route_table.id not in _ec2(account_id, region).route_tables:
        return
    _ec2(account_id, region).delete_route(
        route.route_table.id, route.destination_cidr_block, None, None
    )


def _delete_ingress(ingress: Any, account_id: str, region: str) -> None:
    group = ingress.security_group
    if _ec2(account_id, region).get_security_group_from_id(group.id) is None:
        return
    props = ingress.properties
    source = props.get("SourceSecurityGroupId")
    cidr = props.get("CidrIp")
    for rule in list(group.ingress_rules):
        if str(rule.from_port) != str(props.get("FromPort")) or (
            str(rule.to_port) != str(props.get("ToPort"))
        ):
            continue
        matches = (source and any(g.get("GroupId") == source for g in rule.source_groups)) or (
            cidr and any(r.get("CidrIp") == cidr for r in rule.ip_ranges)
        )
        if matches:
            _ec2(account_id, region).revoke_security_group_ingress(
                group.id, None, None, None, [], security_rule_ids=[rule.id]
            )


def _delete_vpc_endpoint(endpoint: Any, account_id: str, region: str) -> None:
    backend = _ec2(account_id, region)
    # moto deletes in no particular order: a route table may already be gone with its routes.
    endpoint.route_table_ids = [t for t in endpoint.route_table_ids if t in backend.route_tables]
    backend.delete_vpc_endpoints([endpoint.id])


def _delete_listener(listener: Any, account_id: str, region: str) -> None:
    from moto.elbv2.models import elbv2_backends

    backend = elbv2_backends[account_id][region]
    # Deleting the load balancer first takes its listeners with it.
    if any(listener.arn in lb.listeners for lb in backend.load_balancers.values()):
        backend.delete_listener(listener.arn)


def _delete_target_group(group: Any, account_id: str, region: str) -> None:
    from moto.elbv2.models import elbv2_backends

    elbv2_backends[account_id][region].delete_target_group(group.arn)


def _delete_rest_api(api: Any, account_id: str, region: str) -> None:
    from moto.apigateway.models import apigateway_backends

    apigateway_backends[account_id][region].delete_rest_api(api.id)


def _delete_layer_version(layer: Any, account_id: str, region: str) -> None:
    from moto.awslambda.utils import get_backend

    get_backend(account_id, region).delete_layer_version(layer.name, str(layer.version))


def _delete_bucket(bucket: Any, account_id: str, region: str) -> None:
    """moto's DeleteBucket from a template silently keeps a bucket that still holds objects;
    CloudFormation fails that deletion (BucketNotEmpty), so raise and let the stack's delete
    loop retry once the bucket's auto-delete custom resource has emptied it."""
    from moto.s3.models import s3_backends

    backend = s3_backends[account_id][ACCOUNT_PARTITION]
    if bucket.name not in backend.buckets:
        return
    if backend.get_bucket(bucket.name).keys:
        raise RuntimeError(f"BucketNotEmpty: {bucket.name}")
    backend.delete_bucket(bucket.name)


DELETIONS: dict[str, Any] = {
    "AWS::S3::Bucket": _delete_bucket,
    "AWS::EC2::EIP": lambda eip, a, r: _ec2(a, r).release_address(allocation_id=eip.allocation_id),
    "AWS::EC2::FlowLog": lambda log, a, r: _ec2(a, r).delete_flow_logs([log.id]),
    "AWS::EC2::InternetGateway": lambda igw, a, r: _ec2(a, r).delete_internet_gateway(igw.id),
    "AWS::EC2::VPCGatewayAttachment": lambda att, a, r: _ec2(a, r).detach_internet_gateway(
        att.gateway_id, att.vpc_id
    ),
    "AWS::EC2::NatGateway": _delete_nat_gateway,
    "AWS::EC2::Route": _delete_route,
    "AWS::EC2::RouteTable": lambda table, a, r: _ec2(a, r).delete_route_table(table.id),
    "AWS::EC2::SecurityGroupIngress": _delete_ingress,
    "AWS::EC2::VPCEndpoint": _delete_vpc_endpoint,
    "AWS::ElasticLoadBalancingV2::Listener": _delete_listener,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _delete_target_group,
    "AWS::ApiGateway::RestApi": _delete_rest_api,
    "AWS::Lambda::LayerVersion": _delete_layer_version,
}


def install_deletions() -> None:
    """Give moto's models of the DELETIONS types the ``delete`` CloudFormation calls."""
    from moto.cloudformation.parsing import get_model_map

    models = get_model_map()
    for resource_type, deleter in DELETIONS.items():

        def delete(self: Any, account_id: str, region_name: str, _deleter: Any = deleter) -> None:
            _deleter(self, account_id, region_name)

        models[resource_type].delete = delete


# ---------------------------------------------------------------------------- completions
# Properties moto's own template models ignore: applied after moto creates the resource,
# through moto's backend, as CloudFormation would have at creation.
def _complete_vpc(vpc: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    for key, attribute in (
        ("EnableDnsHostnames", "enable_dns_hostnames"),
        ("EnableDnsSupport", "enable_dns_support"),
    ):
        if key in props:
            _ec2(account_id, region).modify_vpc_attribute(vpc.id, attribute, bool(props[key]))


def _complete_subnet(subnet: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    if "MapPublicIpOnLaunch" in props:
        _ec2(account_id, region).modify_subnet_attribute(
            subnet.id, "map_public_ip_on_launch", bool(props["MapPublicIpOnLaunch"])
        )


def _complete_instance(instance: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto reads only the EC2-Classic ``SecurityGroups``; a VPC instance has SecurityGroupIds."""
    if props.get("SecurityGroupIds"):
        _ec2(account_id, region).modify_instance_security_groups(
            instance.id, list(props["SecurityGroupIds"])
        )


def _complete_security_group(
    group: Any, props: dict[str, Any], account_id: str, region: str
) -> None:
    """SecurityGroupEgress replaces the default allow-all egress rule."""
    if "SecurityGroupEgress" not in props:
        return
    backend = _ec2(account_id, region)
    if group.egress_rules:
        backend.revoke_security_group_egress(
            group.id, None, None, None, [], security_rule_ids=[r.id for r in group.egress_rules]
        )
    for rule in props["SecurityGroupEgress"]:
        destination = rule.get("DestinationSecurityGroupId")
        backend.authorize_security_group_egress(
            group.id,
            str(rule["IpProtocol"]),
            rule.get("FromPort"),
            rule.get("ToPort"),
            [{"CidrIp": rule["CidrIp"]}] if "CidrIp" in rule else [],
            source_groups=[{"GroupId": destination}] if destination else [],
        )


def _complete_bucket(bucket: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    from moto.s3.models import s3_backends

    if "PublicAccessBlockConfiguration" in props:
        s3_backends[account_id][ACCOUNT_PARTITION].put_public_access_block(
            bucket.name, props["PublicAccessBlockConfiguration"]
        )
    _complete_bucket_api(bucket, props, region)


def _complete_table(table: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    from moto.dynamodb.models import dynamodb_backends

    spec = props.get("PointInTimeRecoverySpecification")
    if spec:
        dynamodb_backends[account_id][region].update_continuous_backups(
            table.name, {"PointInTimeRecoveryEnabled": spec.get("PointInTimeRecoveryEnabled")}
        )


def _complete_method(method: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    if "RequestValidatorId" in props:
        method.request_validator_id = props["RequestValidatorId"]


def _complete_function(function: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto's template model drops Layers (GetFunction shows none; BucketDeployment's handler
    runs the AWS CLI from its layer)."""
    if props.get("Layers"):
        function.layers = function._get_layers_data(list(props["Layers"]))


def _complete_key(key: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto keeps a template's KeyPolicy as a dict; its API serves it as a JSON string."""
    if isinstance(key.policy, dict):
        key.policy = json.dumps(key.policy)


def _complete_table_ttl(table: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto's Table model ignores TimeToLiveSpecification: moto's UpdateTimeToLive."""
    from moto.dynamodb.models import dynamodb_backends

    spec = props.get("TimeToLiveSpecification")
    if spec:
        dynamodb_backends[account_id][region].update_time_to_live(
            table.name,
            {
                "AttributeName": spec["AttributeName"],
                "Enabled": _bool_text(spec.get("Enabled", True)) == "true",
            },
        )


def _complete_table_all(table: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    _complete_table(table, props, account_id, region)
    _complete_table_ttl(table, props, account_id, region)


def _complete_file_system(fs: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto's FileSystem model ignores FileSystemPolicy: moto's PutFileSystemPolicy."""
    from moto.efs.models import efs_backends

    policy = props.get("FileSystemPolicy")
    if policy:
        efs_backends[account_id][region].put_file_system_policy(
            fs.file_system_id,
            _json_text(policy),
            bypass_policy_lockout_safety_check=_bool_text(
                props.get("BypassPolicyLockoutSafetyCheck", False)
            )
            == "true",
        )


def _complete_target_group(group: Any, props: dict[str, Any], account_id: str, region: str) -> None:
    """moto's TargetGroup model ignores TargetGroupAttributes and Targets: moto's
    ModifyTargetGroupAttributes and RegisterTargets."""
    from moto.elbv2.models import elbv2_backends

    backend = elbv2_backends[account_id][region]
    attributes = {a["Key"]: str(a["Value"]) for a in props.get("TargetGroupAttributes", [])}
    if attributes:
        backend.modify_target_group_attributes(group.arn, attributes)
    targets = [
        {"Id": t["Id"], **({"Port": int(t["Port"])} if "Port" in t else {})}
        for t in props.get("Targets", [])
    ]
    if targets:
        backend.register_targets(group.arn, targets)


COMPLETIONS: dict[str, Any] = {
    "AWS::EFS::FileSystem": _complete_file_system,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _complete_target_group,
    "AWS::EC2::VPC": _complete_vpc,
    "AWS::EC2::Subnet": _complete_subnet,
    "AWS::EC2::SecurityGroup": _complete_security_group,
    "AWS::EC2::Instance": _complete_instance,
    "AWS::S3::Bucket": _complete_bucket,
    "AWS::DynamoDB::Table": _complete_table_all,
    "AWS::ApiGateway::Method": _complete_method,
    "AWS::KMS::Key": _complete_key,
    "AWS::Lambda::Function": _complete_function,
    "AWS::Kinesis::Stream": _complete_stream,
}


def install_completions() -> None:
    from moto.cloudformation.parsing import get_model_map

    models = get_model_map()
    for resource_type, complete in COMPLETIONS.items():
        model = models[resource_type]
        moto_create = model.create_from_cloudformation_json.__func__

        def create(
            cls: Any,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
            _moto_create: Any = moto_create,
            _complete: Any = complete,
            **kwargs: Any,
        ) -> Any:
            resource = _moto_create(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
            _complete(resource, cloudformation_json.get("Properties", {}), account_id, region_name)
            return resource

        model.create_from_cloudformation_json = classmethod(create)


def _secure_transport_only(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    return condition == {"Bool": {"aws:SecureTransport": "false"}}


def install_bucket_policy_transport_condition() -> None:
    """moto evaluates a bucket policy's statements without their conditions, so the
    "deny unless aws:SecureTransport" statement every CDK bucket carries denies every request.
    The emulator serves only TLS, so that condition is false for every request: drop those
    statements before moto evaluates; any other statement stays as moto sees it."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        document["Statement"] = [s for s in statements if not _secure_transport_only(s)]
        if not document["Statement"]:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def install_change_set_outputs() -> None:
    """moto applies a change set's resources but keeps the outputs of the template the stack
    had before (none, for a new stack): ``cdk bootstrap`` (change sets only) then leaves
    CDKToolkit without its BucketName/BootstrapVersion outputs. Rebuild the outputs after apply.
    """
    from moto.cloudformation.models import ChangeSet, Stack

    original_apply = ChangeSet.apply

    def apply(self: ChangeSet) -> None:
        original_apply(self)
        stack: Stack = self.stack
        stack.template = self.template
        stack._parse_template()
        stack.output_map = stack._create_output_map()

    ChangeSet.apply = apply  # type: ignore[method-assign]


def install_handler_failures() -> None:
    """A custom resource whose handler fails: CloudFormation records the resource's failure
    with the handler's reason and rolls the stack back (the CLI prints both); a failed delete
    leaves the stack DELETE_FAILED. moto would answer CreateStack/DeleteStack with a 500, which
    the CLI's SDK retries into a misleading AlreadyExistsException (or a vanished stack)."""
    from moto.cloudformation.models import Event, Stack
    from moto.cloudformation.parsing import OutputMap

    def failed(stack: Stack, failure: HandlerFailed, status: str) -> None:
        stack.events.append(
            Event(
                stack.stack_id,
                stack.name,
                failure.logical_id,
                "",
                failure.resource_type,
                status,
                failure.reason,
                None,
            )
        )

    moto_create, moto_delete = Stack.create_resources, Stack.delete

    def create_resources(self: Stack) -> None:
        try:
            moto_create(self)
        except HandlerFailed as failure:
            failed(self, failure, "CREATE_FAILED")
            reason = f"The following resource(s) failed to create: [{failure.logical_id}]."
            self._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
            try:
                self.resource_map.delete()  # the rollback: what was created goes again
                self.status = "ROLLBACK_COMPLETE"
            except Exception as error:  # noqa: BLE001 - reported as the rollback's reason
                self.status, reason = "ROLLBACK_FAILED", str(error)
            # moto creates a template resource the moment anything (DescribeStackResources,
            # an output) looks it up: a rolled-back stack has neither resources nor outputs.
            self.resource_map._resource_json_map = {}
            self.output_map = OutputMap(self.resource_map, {}, self.stack_id)
            self._add_stack_event(self.status, resource_status_reason=reason)

    def delete(self: Stack) -> None:
        try:
            moto_delete(self)
        except HandlerFailed as failure:
            failed(self, failure, "DELETE_FAILED")
            self.status = "DELETE_FAILED"
            reason = f"The following resource(s) failed to delete: [{failure.logical_id}]."
            self._add_stack_event("DELETE_FAILED", resource_status_reason=reason)

    Stack.create_resources = create_resources  # type: ignore[method-assign]
    Stack.delete = delete  # type: ignore[method-assign]


def install_invalidation_status() -> None:
    """moto's invalidations are born "COMPLETED"; CloudFront's API says "Completed" (or
    "InProgress"), which is what the SDKs' InvalidationCompleted waiter polls for: with moto's
    value, BucketDeployment's handler (WaitForDistributionInvalidation) would wait 13 minutes."""
    from moto.cloudfront.models import Invalidation

    moto_init = Invalidation.__init__

    def __init__(self: Invalidation, *args: Any, **kwargs: Any) -> None:
        moto_init(self, *args, **kwargs)
        self.status = "Completed"

    Invalidation.__init__ = __init__  # type: ignore[method-assign]


def install_physical_ids() -> None:
    """moto's DB subnet group, API deployment and layer version have no physical id, so ``Ref``
    hands out the model object instead of CloudFormation's Ref value (name, id, ARN)."""
    from moto.apigateway.models import Deployment
    from moto.awslambda.models import LayerVersion
    from moto.rds.models import DBSubnetGroup

    DBSubnetGroup.physical_resource_id = property(lambda self: self.name)
    Deployment.physical_resource_id = property(lambda self: self.id)
    LayerVersion.physical_resource_id = property(lambda self: self.arn)


def install_attributes() -> None:
    """``Fn::GetAtt`` attributes CloudFormation documents that moto's models do not hand out,
    each read from moto's own object (the value its API serves): an EIP's ``PublicIp``, a load
    balancer's ``CanonicalHostedZoneID``, an EFS file system's ``Arn`` / ``FileSystemId`` and an
    access point's ``Arn`` / ``AccessPointId``; and the access point's physical id (moto has
    none, so Ref handed out nothing)."""
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.efs.models import AccessPoint, FileSystem
    from moto.elbv2.models import FakeLoadBalancer

    extra: dict[Any, dict[str, Callable[[Any], Any]]] = {
        ElasticAddress: {"PublicIp": lambda o: o.public_ip},
        FakeLoadBalancer: {"CanonicalHostedZoneID": lambda o: o.canonical_hosted_zone_id},
        FileSystem: {
            "Arn": lambda o: o.file_system_arn,
            "FileSystemId": lambda o: o.file_system_id,
        },
        AccessPoint: {
            "Arn": lambda o: o.access_point_arn,
            "AccessPointId": lambda o: o.access_point_id,
        },
    }
    for model, attributes in extra.items():
        moto_get = getattr(model, "get_cfn_attribute", None)
        moto_has = model.has_cfn_attr.__func__

        def get_cfn_attribute(
            self: Any, name: str, _extra: Any = attributes, _moto: Any = moto_get
        ) -> Any:
            if name in _extra:
                return _extra[name](self)
            if _moto is None:
                from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

                raise UnformattedGetAttTemplateException()
            return _moto(self, name)

        def has_cfn_attr(cls: Any, attr: str, _extra: Any = attributes, _moto: Any = moto_has):
            return attr in _extra or _moto(cls, attr)

        model.get_cfn_attribute = get_cfn_attribute
        model.has_cfn_attr = classmethod(has_cfn_attr)
    AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)


def _references(resource_json: dict[str, Any]) -> set[str]:
    """The logical ids a template resource depends on: DependsOn, Ref, Fn::GetAtt."""
    depends = resource_json.get("DependsOn", [])
    found = {depends} if isinstance(depends, str) else set(depends)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("Ref"), str):
                found.add(node["Ref"])
            target = node.get("Fn::GetAtt")
            if target:
                found.add(target[0] if isinstance(target, list) else target.split(".")[0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(resource_json.get("Properties", {}))
    return found


def _emptied_after(resources: dict[str, Any]) -> dict[str, set[str]]:
    """Auto-delete custom resource -> the auto-delete custom resources to run before it: those
    of the buckets whose server access logs go to its bucket. moto writes an access log record
    into the target bucket at once for every request to a logging bucket (S3 delivers them
    later, best effort), so emptying a source bucket refills its log bucket."""

    def ref(value: Any) -> Any:
        return value.get("Ref") if isinstance(value, dict) else value

    emptier = {
        ref(r.get("Properties", {}).get("BucketName")): lid
        for lid, r in resources.items()
        if r.get("Type") == "Custom::S3AutoDeleteObjects"
    }
    later: dict[str, set[str]] = {}
    for lid, r in resources.items():
        if r.get("Type") != "AWS::S3::Bucket":
            continue
        logging = r.get("Properties", {}).get("LoggingConfiguration") or {}
        target = ref(logging.get("DestinationBucketName", {"Ref": lid}))
        if target != lid and target in emptier and lid in emptier:
            later.setdefault(emptier[target], set()).add(emptier[lid])
    return later


def install_custom_resources_delete_first() -> None:
    """CloudFormation deletes a resource before anything it depends on; moto's DeleteStack
    deletes in no particular order (retrying what fails). The custom resources whose handler
    runs for real need what they reference at delete (the default security group to authorize
    again, the bucket to empty, the distribution to invalidate; not their function: its code
    is kept from create), so they go first, dependents before their dependencies, then moto's
    loop deletes the rest. A handler that fails fails the DeleteStack, as in CloudFormation."""
    from moto.cloudformation.parsing import ResourceMap

    moto_delete = ResourceMap.delete

    def delete(self: ResourceMap) -> None:
        pending = {
            logical_id: resource
            for logical_id, resource in self._parsed_resources.items()
            if isinstance(resource, CdkHandlerResource)
            and self._resource_json_map[logical_id].get("DeletionPolicy") != "Retain"
        }
        later = _emptied_after(self._resource_json_map)
        while pending:
            needed = set().union(*(_references(self._resource_json_map[i]) for i in pending))
            needed |= {i for i, first in later.items() if first & set(pending)}
            for logical_id in [i for i in pending if i not in needed] or list(pending):
                pending.pop(logical_id).delete(self._account_id, self._region_name)
                self._parsed_resources.pop(logical_id)
        moto_delete(self)

    ResourceMap.delete = delete  # type: ignore[method-assign]


def install(endpoint: tuple[int, str] | None = None) -> None:
    """Put the extensions in front of moto's own CloudFormation type lookup (idempotent).

    ``endpoint``: the server's (port, certificate), which aws-cdk-lib's handlers call back into.
    """
    global _ENDPOINT
    if endpoint is not None:
        _ENDPOINT = endpoint
    from moto.cloudformation import parsing

    if getattr(parsing.resource_class_from_type, "_emulator_extensions", False):
        return
    install_bucket_policy_transport_condition()
    install_change_set_outputs()
    install_deletions()
    install_physical_ids()
    install_instance_network_interfaces()  # these two before the completions, which wrap them
    install_security_group_ingress_without_ports()
    install_completions()
    install_attributes()
    install_fifo_queue_names()
    install_custom_resources_delete_first()
    install_invalidation_status()
    install_handler_failures()
    moto_lookup = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str):  # type: ignore[no-untyped-def]
        return BY_TYPE.get(resource_type) or moto_lookup(resource_type)

    resource_class_from_type._emulator_extensions = True  # type: ignore[attr-defined]
    parsing.resource_class_from_type = resource_class_from_type
