"""MyWordPress.com's stand-in [004:2426-2430]: instances sharing one directory on EFS.

WordPress keeps uploaded images on disk; on an EBS volume each instance would see only its
own. Here every instance mounts the same EFS file system: at start each writes
``instances/<instance-id>.txt``, ``POST /notes`` writes a note, and ``GET /`` lists every file
with its first line and the instance that wrote it, whichever instance serves the page.
``GET /health`` is 200 only while the directory is mounted and writable.

Each file's second line is ``written by <instance-id> at <time>``.
Run: ``python3 shared_files.py /etc/shared-files/config.json``
(``{"port": 80, "directory": "/mnt/shared"}``).
"""

from __future__ import annotations

import datetime
import html
import os
import secrets
import socket
import sys

from app_common import (
    UNKNOWN,
    Handler,
    instance_identity,
    load_config,
    make_http_server,
    page,
)

MAX_LISTED = 200
MAX_NOTE_CHARS = 200
HEAD_BYTES = 2048


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - UTC is 3.11+


def writer_name(identity: dict) -> str:
    """The instance id; off EC2 the host name, so two writers never share a file name."""
    if identity["instance_id"] != UNKNOWN:
        return identity["instance_id"]
    return socket.gethostname() or UNKNOWN


def _write(directory: str, relative: str, text: str) -> str:
    """Write whole or not at all: a reader on another instance never sees half a file."""
    path = os.path.join(directory, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = os.path.join(os.path.dirname(path), f".tmp-{secrets.token_hex(8)}")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
    return path


def _signature(writer: str, now: datetime.datetime) -> str:
    return f"written by {writer} at {now.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"


def register_instance(directory: str, identity: dict, now: datetime.datetime) -> str:
    writer = writer_name(identity)
    first = f"{writer} in {identity['availability_zone']} started\n"
    return _write(directory, f"instances/{writer}.txt", first + _signature(writer, now))


def write_note(directory: str, identity: dict, text: str, now: datetime.datetime) -> str:
    writer = writer_name(identity)
    name = f"notes/{now.strftime('%Y%m%dT%H%M%S%fZ')}-{writer}-{secrets.token_hex(3)}.txt"
    return _write(directory, name, text + "\n" + _signature(writer, now))


def _head(path: str) -> tuple:
    """(first line, writer) from the file's first bytes only."""
    with open(path, "rb") as source:
        lines = source.read(HEAD_BYTES).decode("utf-8", "replace").splitlines()
    first = lines[0] if lines else ""
    signed = len(lines) > 1 and lines[1].startswith("written by ")
    return first, lines[1].split()[2] if signed else UNKNOWN


def list_files(directory: str) -> list:
    """[(relative path, first line, writer)], sorted, at most MAX_LISTED; dot files (our
    temporaries) and symbolic links skipped."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.startswith(".") or os.path.islink(path):
                continue
            found.append((os.path.relpath(path, directory),) + _head(path))
            if len(found) >= MAX_LISTED:
                return found
    return found


def healthy(directory: str, require_mount: bool = True) -> bool:
    """Mounted (not the empty directory under a failed mount) and writable right now."""
    if require_mount and not os.path.ismount(directory):
        return False
    probe = os.path.join(directory, f".health-{socket.gethostname()}-{secrets.token_hex(4)}")
    try:
        with open(probe, "w", encoding="utf-8") as out:
            out.write("ok\n")
        os.remove(probe)
    except OSError:
        return False
    return True


def files_page(directory: str, identity: dict) -> bytes:
    rows = "".join(
        f"<tr><td>{html.escape(path)}</td><td>{html.escape(first)}</td>"
        f"<td>{html.escape(writer)}</td></tr>"
        for path, first, writer in list_files(directory)
    )
    return page(
        "MyWordPress.com",
        f"<p>This page was served by {html.escape(identity['instance_id'])} in "
        f"{html.escape(identity['availability_zone'])}.</p>"
        "<table><tr><th>file</th><th>first line</th><th>written by</th></tr>"
        f"{rows}</table>"
        '<form method="post" action="/notes"><input name="text" required '
        f'maxlength="{MAX_NOTE_CHARS}"><button>Write a note</button></form>',
    )


def make_server(host, port, *, directory, identity, require_mount=True, clock=now_utc):
    class FilesHandler(Handler):
        def do_GET(self) -> None:
            path = self.path_only()
            if path == "/health":
                ok = healthy(directory, require_mount)
                self.text(200 if ok else 503, "ok\n" if ok else "shared directory unusable\n")
            elif path == "/":
                self.respond(200, files_page(directory, identity))
            else:
                self.not_found()

        def do_POST(self) -> None:
            if self.path_only() != "/notes":
                super().do_POST()
                return
            form = self.read_form()
            if form is None:
                return
            text = " ".join(form.get("text", "").split())
            if not 0 < len(text) <= MAX_NOTE_CHARS or not text.isprintable():
                self.text(400, f"text: 1 to {MAX_NOTE_CHARS} printable characters\n")
                return
            write_note(directory, identity, text, clock())
            self.redirect_home()

    return make_http_server(host, port, FilesHandler)


def main(directory: str, port: int = 80, host: str = "0.0.0.0") -> None:
    """Register this instance in the directory, then serve (a failed write exits: systemd
    restarts it, and the ALB sees no healthy server meanwhile)."""
    identity = instance_identity()
    register_instance(directory, identity, now_utc())
    make_server(host, int(port), directory=directory, identity=identity).serve_forever()


if __name__ == "__main__":
    main(**load_config(sys.argv[1]))
