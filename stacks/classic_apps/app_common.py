"""What the three instance servers share (installed beside each as app_common.py).

Standard library only, Python 3.9 (Amazon Linux 2023's python3): the instances have no pip.
"""

from __future__ import annotations

import html
import json
import sys
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMDS = "http://169.254.169.254"
UNKNOWN = "unknown"
MAX_FORM_BYTES = 4096
# Pages are plain HTML with forms posting back here: nothing else may load, frame or run.
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
)


def instance_identity(base_url: str = IMDS, timeout: float = 1.0) -> dict:
    """The instance id and AZ, read once with an IMDSv2 session token (IMDSv1 is off on the
    stacks' instances); "unknown" off EC2 or when the metadata service does not answer."""
    try:
        token_request = urllib.request.Request(
            base_url + "/latest/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"},
        )
        with urllib.request.urlopen(token_request, timeout=timeout) as response:
            token = response.read().decode()
        return {
            "instance_id": _metadata(base_url, token, "instance-id", timeout),
            "availability_zone": _metadata(base_url, token, "placement/availability-zone", timeout),
        }
    except (OSError, ValueError):
        return {"instance_id": UNKNOWN, "availability_zone": UNKNOWN}


def _metadata(base_url: str, token: str, path: str, timeout: float) -> str:
    request = urllib.request.Request(
        base_url + "/latest/meta-data/" + path, headers={"X-aws-ec2-metadata-token": token}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode().strip()


def load_config(path: str) -> dict:
    """The JSON object user data wrote (``/etc/<app>/config.json``)."""
    with open(path, encoding="utf-8") as config_file:
        config = json.load(config_file)
    if not isinstance(config, dict):
        raise ValueError(f"{path} holds {type(config).__name__}; allowed: a JSON object")
    return config


def page(title: str, body: str) -> bytes:
    """A whole HTML page; ``body`` is HTML already escaped by the caller."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>\n"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    """Response helpers; the servers subclass it and route in do_GET/do_POST."""

    server_version = "classic-app"
    protocol_version = "HTTP/1.1"
    # Longer than the ALB's 60 s idle timeout (so the ALB closes first, never racing a close
    # here into a 502), short enough that idle keep-alive connections do not pin threads.
    timeout = 65

    def version_string(self) -> str:
        """The Server header: no Python version for a scanner to match against."""
        return self.server_version

    def respond(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: tuple = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS + tuple(headers):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def text(self, status: int, body: str, headers: tuple = ()) -> None:
        self.respond(status, body.encode(), "text/plain; charset=utf-8", headers)

    def not_found(self) -> None:
        self.text(404, "not found\n")

    def do_POST(self) -> None:
        self.close_connection = True  # its body stays unread
        self.not_found()

    def redirect_home(self, headers: tuple = ()) -> None:
        """303 See Other: the browser GETs / after a form POST (no resubmission on reload)."""
        self.respond(303, b"", "text/plain", (("Location", "/"),) + tuple(headers))

    def read_form(self) -> dict | None:
        """The urlencoded form fields (first value each), or None after answering 413 when the
        Content-Length is not a number or is too big."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_FORM_BYTES:
            self.close_connection = True  # the unread body must not be parsed as a request
            self.text(413, f"form too large; allowed: up to {MAX_FORM_BYTES} bytes\n")
            return None
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        return {name: values[0] for name, values in fields.items()}

    def path_only(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def log_message(self, format: str, *args) -> None:
        """One line a request on stderr: journald adds the time and the unit."""
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def make_http_server(host: str, port: int, handler: type) -> ThreadingHTTPServer:
    """One thread a request: a slow backend call blocks only its own request."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
