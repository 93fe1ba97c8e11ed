"""Privacy: no network socket is ever opened, except by `model download`.

Every system call that makes a socket, in every process and thread of a real session (speech
workers and audio libraries included), is traced with strace; an AF_INET or AF_INET6 one fails.
"""

from __future__ import annotations

import sys

import pytest

from tests.helpers import answers_script, traced_sockets

pytestmark = pytest.mark.files


def test_the_trace_does_see_an_inet_socket(tmp_path):
    """The check itself can fail: a process that opens one is caught."""
    found, _ = traced_sockets(
        [sys.executable, "-c", "import socket; socket.socket(socket.AF_INET6).close()"], tmp_path
    )
    assert len(found) == 1 and "AF_INET6" in found[0]


def test_a_whole_text_session_opens_no_network_socket(tmp_path):
    found, done = traced_sockets(
        [
            sys.executable,
            "-m",
            "assistant",
            "--text",
            "--pace",
            "0",
            "--journal",
            str(tmp_path / "j"),
        ],
        tmp_path,
        stdin="lees over compassie\nvragen\n" + answers_script(10),
    )
    assert done.returncode == 0, done.stderr
    assert "Vraag 10 van 10." in done.stdout
    assert found == []
