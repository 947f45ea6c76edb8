"""Run agrosim as a child process and measure it: exit code, output, and peak resident memory, for the
fuzz suites that assert the contract (exit 0 or 2, no traceback, nothing written, memory bounded)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: peak RSS a child may reach on hostile input (an idle agrosim with its libraries is ~150-250 MiB)
MAX_RSS_MB = 600


@dataclass
class Child:
    code: int
    out: str
    err: str
    peak_rss_mb: float

    def check_contract(self, allowed=(0, 2)) -> None:
        """Exit 0 or 2, no traceback or internal error, one message on exit 2, memory bounded."""
        assert self.code in allowed, (self.code, self.err[-2000:])
        assert "Traceback" not in self.err and "internal error" not in self.err, self.err[-2000:]
        if self.code == 2:
            assert "problem" in self.err or "error:" in self.err, self.err[-2000:]
        assert self.peak_rss_mb < MAX_RSS_MB, f"peak RSS {self.peak_rss_mb:.0f} MiB"


#: a small launcher: forks the real child from a process of a few MiB, so the child's peak RSS is its own
#: (a child forked straight from pytest is charged pytest's resident memory at fork time by the kernel)
_LAUNCH = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def agrosim(*args: str, cwd: Path = ROOT, timeout: float = 120, env: dict | None = None,
            close_stderr: bool = False) -> Child:
    """`python -m agrosim.cli ARGS` in a child; its own peak RSS (through a small launcher, see _LAUNCH)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, rss.name, sys.executable, "-m", "agrosim.cli",
                                 *map(str, args)], cwd=cwd,
                                stdout=out, stderr=subprocess.DEVNULL if close_stderr else err,
                                env={**os.environ, **(env or {})}, start_new_session=True,
                                preexec_fn=(lambda: os.close(2)) if close_stderr else None)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        peak_kib = float(rss.read() or "inf")
        return Child(proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                     peak_kib / 1024)
