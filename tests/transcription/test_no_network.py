"""Transcribing makes no network connection and no DNS query, native libraries included.

Python-level guards cannot see what CTranslate2, ONNX Runtime or PyTorch do in C++, so the command
runs under ``strace -f``, which records every ``connect``/``sendto``/``sendmsg`` system call of every
thread and child. Only local sockets are allowed: Unix sockets other than a name service's, netlink,
and the loopback interface (and not even a DNS query to a resolver on it). It caught ONNX Runtime
looking up a telemetry host, which ``ORT_DISABLE_TELEMETRY`` (set by ``import qualframe``) stops.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import QUALFRAME
from tests.transcription.conftest import Clip, run

_INET = re.compile(r'sa_family=AF_INET6?\b.*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def outbound(trace: str) -> list[str]:
    """The system calls in an strace log that reach beyond this machine or ask for a name."""
    bad = []
    for line in trace.splitlines():
        # (Connects to nscd's socket are user-name lookups for the audit log: the machine runs no
        # nscd, so a host-name lookup would show here as a query to port 53.)
        if "htons(53)" in line or "/run/systemd/resolve" in line:
            bad.append(line)
            continue
        match = _INET.search(line)
        if match:
            address = match.group(1) or match.group(2)
            if not (address.startswith("127.") or address in ("::1", "::ffff:127.0.0.1")):
                bad.append(line)
    return bad


def test_the_checker_recognises_outbound_calls() -> None:
    trace = (
        '12 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("18.164.1.2")}, 16) = -1\n'
        '12 connect(6, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
        '12 sendto(7, "\\x01", 30, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16)\n'
        '12 connect(8, {sa_family=AF_UNIX, sun_path="/tmp/x"}, 110) = 0\n'
    )
    assert len(outbound(trace)) == 2


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_transcribing_makes_no_outbound_connection(clip: Clip, tmp_path: Path) -> None:
    study = tmp_path / "study"
    assert run("init", study)[0] == 0
    log = tmp_path / "trace.txt"
    done = subprocess.run(
        [
            *("strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log)),
            *(str(QUALFRAME), "transcribe", str(study), str(clip.path), "--speakers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()[:100]}")
    assert done.returncode == 0, done.stderr
    assert "transcribed P01" in done.stdout
    trace = log.read_text()
    assert outbound(trace) == []
