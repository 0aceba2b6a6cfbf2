"""No egress: the whole demo, pseudonymisation included, never tries to reach the network.

A fresh Python process installs a guard on every way Python code reaches the network (socket
connects, UDP sends, name resolution), which records and refuses anything not on this machine, then
builds the demo study from scratch. The guard proves itself with one deliberate connection at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, socket, sys
from pathlib import Path

attempts = []
LOCAL = ("127.", "::1", "localhost", "0.0.0.0")


def _local(address):
    return isinstance(address, (str, bytes)) or str(address[0]).startswith(LOCAL)


def _guard(name, real):
    def guarded(self, address, *args):
        if self.family == getattr(socket, "AF_UNIX", None) or _local(address):
            return real(self, address, *args)
        attempts.append([name, repr(address)])
        raise OSError("outbound network blocked by the no-egress test")
    return guarded


socket.socket.connect = _guard("connect", socket.socket.connect)
socket.socket.connect_ex = _guard("connect_ex", socket.socket.connect_ex)
real_sendto = socket.socket.sendto
def sendto(self, data, *args):
    address = args[-1]
    if _local(address):
        return real_sendto(self, data, *args)
    attempts.append(["sendto", repr(address)])
    raise OSError("outbound network blocked by the no-egress test")
socket.socket.sendto = sendto
real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if host is None or str(host).startswith(LOCAL):
        return real_getaddrinfo(host, *args, **kwargs)
    attempts.append(["getaddrinfo", str(host)])
    raise socket.gaierror("name resolution blocked by the no-egress test")
socket.getaddrinfo = getaddrinfo

from qualframe.demo import build_demo
from qualframe.privacy.demo import run_demo_stage
from qualframe.store.study import Study

out = Path(sys.argv[1])
result = build_demo(out)
study = Study.open(out)
if "pseudonym_key_id" not in study.info():  # the demo may already run the stage itself
    from qualframe.outputs import write_report

    run_demo_stage(study, print)
    write_report(study, result.report)  # as the demo does after its last stage
pseudonymised = "pseudonym_key_id" in study.info()
study.close()
found = list(attempts)
try:
    socket.socket().connect(("192.0.2.1", 80))  # the guard's own check
except OSError:
    pass
json.dump({"attempts": found, "control": attempts[len(found):], "pseudonymised": pseudonymised,
           "report": str(result.report)}, open(sys.argv[2], "w"))
"""


def test_the_whole_demo_attempts_no_outbound_connection(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "QUALFRAME_"))}
    env.update({"PYTHONPATH": str(ROOT), "QUALFRAME_USER": "tester"})
    record = tmp_path / "attempts.json"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "demo"), str(record)],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(record.read_text())
    assert result["attempts"] == []
    assert result["control"] == [["connect", "('192.0.2.1', 80)"]]  # the guard did see a real attempt
    assert result["pseudonymised"] and Path(result["report"]).is_file()
    assert "[Name " in Path(result["report"]).read_text(encoding="utf-8")
