"""WhatIsTheTime.com's server [004:2338-2343]: the time, the instance and its AZ, a health
check, nothing else; the identity read once through IMDSv2, "unknown" when it cannot be."""

from __future__ import annotations

import datetime
import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.classic_apps.harness import IDENTITY_A, load, request, running

time_server = load("time_server")
app_common = load("app_common")

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)  # noqa: UP017


@pytest.fixture(scope="module")
def port():
    server = time_server.make_server("127.0.0.1", 0, IDENTITY_A, clock=lambda: NOW)
    with running(server) as bound:
        yield bound


def test_home_page_shows_the_current_utc_time(port):
    response = request(port, "GET", "/")
    assert response.status == 200
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert '<time datetime="2024-05-06T07:08:09Z">2024-05-06T07:08:09Z</time> (UTC)' in (
        response.text
    )


def test_home_page_names_the_instance_and_az_that_served_it(port):
    text = request(port, "GET", "/").text
    assert "i-0aaaaaaaaaaaaaaaa" in text
    assert "us-east-1a" in text


def test_home_page_reads_the_clock_on_every_request():
    ticks = iter([NOW, NOW + datetime.timedelta(seconds=1)])
    server = time_server.make_server("127.0.0.1", 0, IDENTITY_A, clock=lambda: next(ticks))
    with running(server) as bound:
        first, second = (request(bound, "GET", "/").text for _ in range(2))
    assert "07:08:09Z" in first
    assert "07:08:10Z" in second


def test_query_string_does_not_change_the_route(port):
    assert request(port, "GET", "/?utm=1").status == 200


def test_health_answers_200_ok(port):
    response = request(port, "GET", "/health")
    assert (response.status, response.text) == (200, "ok\n")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/favicon.ico"), ("GET", "/health/"), ("POST", "/"), ("POST", "/health")],
)
def test_anything_else_is_404(port, method, path):
    body = b"x=1" if method == "POST" else None
    assert request(port, method, path, body=body).status == 404


def test_head_answers_headers_without_a_body(port):
    response = request(port, "HEAD", "/")
    assert response.status == 200
    assert int(response.header("Content-Length")) > 0
    assert response.text == ""


def test_responses_forbid_scripts_framing_and_caching(port):
    response = request(port, "GET", "/")
    assert "default-src 'none'" in response.header("Content-Security-Policy")
    assert "frame-ancestors 'none'" in response.header("Content-Security-Policy")
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Cache-Control") == "no-store"


def test_server_header_does_not_name_python(port):
    assert request(port, "GET", "/health").header("Server") == "classic-app"


def test_identity_is_html_escaped():
    identity = {"instance_id": "<b>i-1</b>", "availability_zone": "us-east-1a"}
    body = time_server.time_page(NOW, identity).decode()
    assert "<b>" not in body
    assert "&lt;b&gt;i-1&lt;/b&gt;" in body


class FakeImds(BaseHTTPRequestHandler):
    """IMDSv2: a PUT for a token first (with its TTL header), then GETs carrying it."""

    TOKEN = "fake-token"
    seen: list = []
    metadata = {"instance-id": "i-0123456789abcdef0", "placement/availability-zone": "eu-west-1c"}

    def do_PUT(self):
        self.seen.append(
            ("PUT", self.path, self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"))
        )
        self._answer(200, self.TOKEN)

    def do_GET(self):
        self.seen.append(("GET", self.path, self.headers.get("X-aws-ec2-metadata-token")))
        key = self.path.removeprefix("/latest/meta-data/")
        if self.headers.get("X-aws-ec2-metadata-token") != self.TOKEN:
            self._answer(401, "")
        else:
            self._answer(200, self.metadata[key])

    def _answer(self, status: int, text: str):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_identity_comes_from_imdsv2_with_a_session_token():
    FakeImds.seen = []
    with running(ThreadingHTTPServer(("127.0.0.1", 0), FakeImds)) as imds_port:
        identity = app_common.instance_identity(f"http://127.0.0.1:{imds_port}")
    assert identity == {"instance_id": "i-0123456789abcdef0", "availability_zone": "eu-west-1c"}
    assert FakeImds.seen[0][:2] == ("PUT", "/latest/api/token")
    assert int(FakeImds.seen[0][2]) > 0
    assert all(token == FakeImds.TOKEN for method, _, token in FakeImds.seen[1:])


def test_identity_is_unknown_when_the_metadata_service_refuses():
    class Refusing(FakeImds):
        def do_PUT(self):
            self._answer(403, "")

    with running(ThreadingHTTPServer(("127.0.0.1", 0), Refusing)) as imds_port:
        identity = app_common.instance_identity(f"http://127.0.0.1:{imds_port}")
    assert identity == {"instance_id": "unknown", "availability_zone": "unknown"}


def test_identity_is_unknown_off_ec2():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    identity = app_common.instance_identity(f"http://127.0.0.1:{closed_port}", timeout=0.5)
    assert identity == {"instance_id": "unknown", "availability_zone": "unknown"}


def test_config_is_the_json_object_user_data_wrote(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"port": 8080}))
    assert app_common.load_config(str(config)) == {"port": 8080}


def test_config_that_is_not_an_object_is_refused(tmp_path):
    config = tmp_path / "config.json"
    config.write_text("[80]")
    with pytest.raises(ValueError, match=r"config.json holds list; allowed: a JSON object"):
        app_common.load_config(str(config))
