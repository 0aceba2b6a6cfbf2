"""No egress, native code included: nothing qualframe starts reaches the network on its own.

The whole session of :mod:`tests.privacy.egress_session` (import, every local assisted-coding
engine with an ONNX Runtime session held open past the moment ONNX Runtime's telemetry would
upload, pseudonymisation, report, exports, a re-import, a Dask simulation, the workbench) runs under
``strace -f``, which sees every ``connect``, ``sendto``, ``sendmsg`` and ``sendmmsg`` of every
process and thread, Python or native. The test fails on any connection to an address other than
this machine, and on any DNS query (anything sent to port 53, even to a local resolver, or to
systemd-resolved's socket). The session ends with a deliberate connect to 192.0.2.1, which the
trace must show: the check is seen to work.

The children run as a researcher's would: without the CI variables that make ONNX Runtime keep
quiet on build servers, and without any offline switch in the environment (qualframe must set
them itself). A second, fast check proves ONNX Runtime's telemetry never starts: it writes a
device identifier under ``~/.cache/Microsoft`` the moment it loads, and a bare ``import
onnxruntime`` in the same environment is shown to do so.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.privacy.egress_session import CONTROL_ADDRESS

ROOT = Path(__file__).resolve().parents[2]
#: Variables under which ONNX Runtime (and other tools) switch telemetry off by themselves.
CI_VARIABLES = (
    "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
    "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "ORT_RUNNING_UNIT_TESTS",
)  # fmt: skip
_ADDRESS = re.compile(
    r"sa_family=(AF_INET6?)[^}]*?(?:sin6?_port=htons\((\d+)\))[^}]*?"
    r"(?:inet_addr\(\"([^\"]+)\"\)|inet_pton\(AF_INET6, \"([^\"]+)\")"
)
_CALLS = ("connect(", "sendto(", "sendmsg(", "sendmmsg(")


def researcher_environment(home: Path) -> dict[str, str]:
    """The environment of a researcher's shell: a fresh home, no CI markers, no offline switches."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CI_VARIABLES
        and not k.startswith(("ORT_", "HF_", "TRANSFORMERS_", "QUALFRAME_", "DO_NOT_TRACK"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        PYTHONPATH=str(ROOT),
        QUALFRAME_USER="tester",
        QUALFRAME_PASSPHRASE="a passphrase for the egress test",
    )
    return env


def outbound(trace: str) -> list[str]:
    """The calls in an strace log that reach beyond this machine, or ask a name server."""
    found = []
    for line in trace.splitlines():
        if not any(call in line for call in _CALLS) or "resumed>" in line.split("(", 1)[0]:
            continue
        if "AF_UNIX" in line:
            if "resolve" in line.lower():  # systemd-resolved's varlink socket: a name lookup
                found.append(line)
            continue
        match = _ADDRESS.search(line)
        if match is None:
            continue  # a call on a connected socket (its connect was checked) or another family
        port, address = int(match.group(2)), match.group(3) or match.group(4)
        ip = ipaddress.ip_address(address)
        mapped = getattr(ip, "ipv4_mapped", None)
        local = (mapped or ip).is_loopback or (mapped or ip).is_unspecified
        if port == 53 or not local:
            found.append(line)
    return found


def test_the_trace_reader_sees_what_it_must() -> None:
    lines = [
        '101 connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '101 sendto(8, "|\\10\\1"..., 50, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("127.0.0.53")}, 16) = 50',
        "102 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>',
        '103 connect(5, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 42) = 0',
    ]
    harmless = [
        '104 connect(7, {sa_family=AF_INET, sin_port=htons(8765), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        "104 connect(7, {sa_family=AF_INET6, sin6_port=htons(8765), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '105 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
        "106 sendto(4, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR}], 20, 0, {sa_family=AF_NETLINK}, 12) = 20",
        "107 <... connect resumed>) = 0",
    ]
    assert outbound("\n".join(lines + harmless)) == lines


def test_onnx_runtime_telemetry_never_starts(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    probe = "import onnxruntime; onnxruntime.InferenceSession"
    control = researcher_environment(tmp_path / "bare")
    subprocess.run([sys.executable, "-c", probe], env=control, check=True, timeout=120)
    device_ids = list((tmp_path / "bare").rglob("deviceid"))
    if not device_ids:
        pytest.skip("this ONNX Runtime build has no telemetry (a bare import writes no device id)")
    ours = researcher_environment(tmp_path / "qualframe")
    subprocess.run([sys.executable, "-c", "import qualframe; " + probe], env=ours, check=True, timeout=120)
    assert not (tmp_path / "qualframe" / ".cache" / "Microsoft").exists()


@pytest.mark.slow
def test_a_whole_session_makes_no_outbound_connection_and_no_dns_query(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        if os.environ.get("CI"):
            pytest.fail("strace is missing on CI: .ci/run installs it")
        pytest.skip("strace is not installed (apt-get install strace)")
    pytest.importorskip("onnxruntime")
    home = tmp_path / "home"
    env = researcher_environment(home)
    env["QUALFRAME_CACHE"] = str(tmp_path / "cache")
    trace = tmp_path / "trace.txt"
    command = [
        strace, "-f", "-qq", "-e", "signal=none", "-e", "trace=connect,sendto,sendmsg,sendmmsg",
        "-o", str(trace), sys.executable, "-m", "tests.privacy.egress_session", str(tmp_path / "work"),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1500)
    log = trace.read_text(errors="replace") if trace.exists() else ""
    if done.returncode != 0 and "PTRACE" in (done.stderr + log).upper():
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    reached = outbound(log)
    assert reached[-1:] and CONTROL_ADDRESS in reached[-1], "the deliberate connect was not seen"
    assert reached[:-1] == [], "\n".join(reached[:-1])
    assert not (home / ".cache" / "Microsoft").exists()  # ONNX Runtime's telemetry never started
