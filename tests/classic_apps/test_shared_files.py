"""MyWordPress.com's stand-in [004:2426-2430]: instances sharing one (EFS) directory see each
other's files; health means the directory is mounted and writable."""

from __future__ import annotations

import datetime
import os
import re
import socket

import pytest

from tests.classic_apps.harness import IDENTITY_A, IDENTITY_B, load, request, running

shared_files = load("shared_files")

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)  # noqa: UP017


def _server(directory, identity=IDENTITY_A, require_mount=False):
    return shared_files.make_server(
        "127.0.0.1",
        0,
        directory=str(directory),
        identity=identity,
        require_mount=require_mount,
        clock=lambda: NOW,
    )


def _rows(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text)


def test_each_instance_registers_itself_at_start(tmp_path):
    path = shared_files.register_instance(str(tmp_path), IDENTITY_A, NOW)
    assert path == str(tmp_path / "instances" / "i-0aaaaaaaaaaaaaaaa.txt")
    assert (tmp_path / "instances" / "i-0aaaaaaaaaaaaaaaa.txt").read_text() == (
        "i-0aaaaaaaaaaaaaaaa in us-east-1a started\n"
        "written by i-0aaaaaaaaaaaaaaaa at 2024-05-06T07:08:09Z\n"
    )


def test_a_note_written_on_one_instance_is_listed_by_another(tmp_path):
    shared_files.register_instance(str(tmp_path), IDENTITY_A, NOW)
    shared_files.register_instance(str(tmp_path), IDENTITY_B, NOW)
    with running(_server(tmp_path)) as a, running(_server(tmp_path, IDENTITY_B)) as b:
        written = request(a, "POST", "/notes", form={"text": "hello from a"})
        assert (written.status, written.header("Location")) == (303, "/")
        page = request(b, "GET", "/").text
    assert "This page was served by i-0bbbbbbbbbbbbbbbb in us-east-1b" in page
    rows = _rows(page)
    assert rows[:2] == [
        ("instances/i-0aaaaaaaaaaaaaaaa.txt", "i-0aaaaaaaaaaaaaaaa in us-east-1a started",
         "i-0aaaaaaaaaaaaaaaa"),
        ("instances/i-0bbbbbbbbbbbbbbbb.txt", "i-0bbbbbbbbbbbbbbbb in us-east-1b started",
         "i-0bbbbbbbbbbbbbbbb"),
    ]  # fmt: skip
    ((note, first, writer),) = rows[2:]
    assert re.fullmatch(r"notes/20240506T070809123456Z-i-0aaaaaaaaaaaaaaaa-[0-9a-f]{6}\.txt", note)
    assert (first, writer) == ("hello from a", "i-0aaaaaaaaaaaaaaaa")


def test_notes_never_overwrite_each_other(tmp_path):
    for _ in range(3):
        shared_files.write_note(str(tmp_path), IDENTITY_A, "same instant", NOW)
    assert len(os.listdir(tmp_path / "notes")) == 3


def test_listing_escapes_file_contents(tmp_path):
    (tmp_path / "evil.txt").write_text("<script>alert(1)</script>\n")
    with running(_server(tmp_path)) as port:
        page = request(port, "GET", "/").text
    assert "<script>" not in page
    assert ("evil.txt", "&lt;script&gt;alert(1)&lt;/script&gt;", "unknown") in _rows(page)


def test_listing_skips_dot_files_and_symbolic_links(tmp_path):
    (tmp_path / ".tmp-half-written").write_text("partial")
    (tmp_path / "passwd").symlink_to("/etc/passwd")
    (tmp_path / "kept.txt").write_text("kept\n")
    assert [row[0] for row in shared_files.list_files(str(tmp_path))] == ["kept.txt"]


def test_listing_stops_at_its_limit(tmp_path):
    for number in range(shared_files.MAX_LISTED + 5):
        (tmp_path / f"f{number:04}.txt").write_text("x\n")
    assert len(shared_files.list_files(str(tmp_path))) == shared_files.MAX_LISTED


@pytest.mark.parametrize("text", ["", "   ", "x" * 201, "bell\x07"])
def test_a_bad_note_is_400_and_writes_nothing(tmp_path, text):
    with running(_server(tmp_path)) as port:
        response = request(port, "POST", "/notes", form={"text": text})
    assert response.status == 400
    assert "text:" in response.text
    assert not (tmp_path / "notes").exists()


def test_other_routes_are_404(tmp_path):
    with running(_server(tmp_path)) as port:
        assert request(port, "GET", "/notes").status == 404
        assert request(port, "POST", "/", form={"text": "x"}).status == 404


def test_health_is_200_when_the_directory_is_writable_and_leaves_nothing(tmp_path):
    with running(_server(tmp_path)) as port:
        response = request(port, "GET", "/health")
    assert (response.status, response.text) == (200, "ok\n")
    assert os.listdir(tmp_path) == []


def test_health_is_503_when_the_directory_is_not_a_mount_point(tmp_path):
    """A failed EFS mount leaves an empty local directory: writable, but not shared."""
    with running(_server(tmp_path, require_mount=True)) as port:
        assert request(port, "GET", "/health").status == 503


def test_health_is_503_when_the_directory_cannot_be_written(tmp_path):
    with running(_server(tmp_path / "gone")) as port:
        response = request(port, "GET", "/health")
    assert (response.status, response.text) == (503, "shared directory unusable\n")


def test_off_ec2_the_host_name_names_the_writer():
    unknown = {"instance_id": "unknown", "availability_zone": "unknown"}
    assert shared_files.writer_name(unknown) == socket.gethostname()
    assert shared_files.writer_name(IDENTITY_A) == "i-0aaaaaaaaaaaaaaaa"
