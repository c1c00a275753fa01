"""moto in server mode on loopback, with the CloudFormation extensions, in a child process.

``python -m tests.emulator.server --port N`` runs moto's ``ThreadedMotoServer`` with
``extensions.install()`` applied and prints ``ready`` once it answers. ``MotoProcess`` starts
that child, waits for it, and stops it by its PID (the whole process group), whatever happens.
A child process keeps the emulator's state apart from the in-process ``mock_aws`` of other tests.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0


class EmulatorError(RuntimeError):
    """A clear, one-line reason the emulator flow stopped."""


def free_port() -> int:
    """A free TCP port on loopback (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _answers(port: int) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        url = f"https://{HOST}:{port}/moto-api/data.json"
        with urllib.request.urlopen(url, timeout=1, context=context):
            return True
    except (urllib.error.URLError, OSError):
        return False


def write_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for ``localhost`` (the CLI trusts it by
    NODE_EXTRA_CA_CERTS, boto3 by ``verify=``): bucket policies deny plain HTTP."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "emulator-cert.pem", directory / "emulator-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class MotoProcess:
    """The moto server as a child process, stopped by its PID on ``stop()`` / context exit."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._certificate_dir = tempfile.TemporaryDirectory(prefix="emulator-tls-")
        self.cert_path, self.key_path = write_certificate(Path(self._certificate_dir.name))

    @property
    def endpoint(self) -> str:
        # localhost, not 127.0.0.1: the CLI only recognises the template upload URL with it.
        return f"https://localhost:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> MotoProcess:
        if port_in_use(self.port):
            raise EmulatorError(
                f"port {self.port} on {HOST} is in use; stop what listens there or pick another "
                f"port (EMULATOR_PORT=<port>, or leave it unset for a free one)"
            )
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.emulator.server",
                "--port",
                str(self.port),
                "--cert",
                str(self.cert_path),
                "--key",
                str(self.key_path),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise EmulatorError(
                    f"the moto server exited with code {self.process.returncode} before it "
                    f"answered on port {self.port}"
                    + (f"; see {self.log_path}" if self.log_path else "")
                )
            if _answers(self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise EmulatorError(
            f"the moto server did not answer on {HOST}:{self.port} within {timeout_s:.0f} s; "
            f"it was stopped"
        )

    def stop(self) -> None:
        self._stop_process()
        self._certificate_dir.cleanup()

    def _stop_process(self) -> None:
        """Stop the server's process group by PID: SIGTERM, then SIGKILL after 5 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def __enter__(self) -> MotoProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _spare_per_request_work() -> None:
    """Two costs moto 5.2.5's server pays on every request, spared (no answer changes):

    - ``backends.list_of_moto_modules`` lists and stats moto's package folders to route each
      request by its host (about a tenth of the proof's server time): the folders do not change
      while it runs, so the list is read once;
    - werkzeug logs every request line (through colorama) into moto.log, which nothing reads:
      only errors are logged.
    """
    from moto import backends
    from werkzeug.serving import WSGIRequestHandler

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]

    def log_request(self: WSGIRequestHandler, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith("5"):
            WSGIRequestHandler.log(self, "info", '"%s" %s %s', self.requestline, code, size)

    WSGIRequestHandler.log_request = log_request  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args(argv)

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from tests.emulator.extensions import install

    install(endpoint=(args.port, args.cert))
    _spare_per_request_work()

    class TlsMotoServer(ThreadedMotoServer):
        """moto's ThreadedMotoServer, served over TLS."""

        def _server_entry(self) -> None:
            self._server = make_server(
                HOST,
                args.port,
                DomainDispatcherApplication(create_backend_app),
                threaded=True,
                request_handler=MotoRequestHandler,
                ssl_context=(args.cert, args.key),
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    server = TlsMotoServer(ip_address=HOST, port=args.port, verbose=False)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    server.start()
    print("ready", flush=True)
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
