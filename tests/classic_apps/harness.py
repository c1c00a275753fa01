"""Start an instance server in a thread and talk HTTP to it, as the ALB would.

The servers import ``app_common`` as a top-level module (on the instance it sits beside them),
so their folder goes on sys.path and they are imported by their own names.
"""

from __future__ import annotations

import http.client
import importlib
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

APP_DIR = Path(__file__).resolve().parents[2] / "stacks" / "classic_apps"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

IDENTITY_A = {"instance_id": "i-0aaaaaaaaaaaaaaaa", "availability_zone": "us-east-1a"}
IDENTITY_B = {"instance_id": "i-0bbbbbbbbbbbbbbbb", "availability_zone": "us-east-1b"}


def load(name: str):
    """An instance server module (time_server, shop, shared_files, app_common)."""
    return importlib.import_module(name)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@contextmanager
def running(server):
    """The server answering on its ephemeral port until the block ends."""
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


def request(port: int, method: str, path: str, *, form=None, headers=None, body=None) -> Response:
    """One request on a fresh connection; ``form`` is sent urlencoded."""
    headers = dict(headers or {})
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read().decode())
    finally:
        connection.close()
