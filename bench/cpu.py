"""The machine's busy and idle core-seconds, from /proc/stat (Linux), to say how much work a benchmark run was.

One number from one file: not worth a dependency (adding one re-pins every package, see bin/lock). The figures
are the whole machine's, so anything else running at the time is counted too; the benchmarks print the load
average beside them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class CpuTimes:
    """Core-seconds since boot, summed over every core: busy (user, nice, system, irq, softirq, steal) and idle."""

    busy: float
    idle: float

    def __sub__(self, earlier: CpuTimes) -> CpuTimes:
        return CpuTimes(self.busy - earlier.busy, self.idle - earlier.idle)


def cpu_times() -> CpuTimes | None:
    """The machine's core-seconds so far, or None where /proc/stat is not to be read (not Linux)."""
    try:
        first_line = PROC_STAT.read_text().splitlines()[0]
    except OSError:
        return None
    # "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks; guest time is
    # already counted in user, so the first eight fields are the whole.
    ticks = [int(field) for field in first_line.split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = ticks
    hertz = os.sysconf("SC_CLK_TCK")
    return CpuTimes(busy=(user + nice + system + irq + softirq + steal) / hertz, idle=(idle + iowait) / hertz)


def cores() -> int:
    """The machine's online cores: the ones /proc/stat sums its core-seconds over."""
    return os.cpu_count() or 1
