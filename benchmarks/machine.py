"""Describe the machine a benchmark ran on (CPU, cores, memory, versions, fp32 peak) and how busy it is."""
import os
import platform
import subprocess
import time


def cpu_model():
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib():
    """Total memory in GiB, or None where it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def describe():
    """One line naming the CPU, cores, memory, Python and TensorFlow versions."""
    import tensorflow as tf

    parts = [cpu_model(), f"{os.cpu_count()} cores"]
    memory = memory_gib()
    if memory:
        parts.append(f"{memory:.0f} GiB")
    gpus = tf.config.list_physical_devices("GPU")
    parts.append("GPU: " + ", ".join(gpu.name for gpu in gpus) if gpus else "no GPU")
    parts += [f"Python {platform.python_version()}", f"TensorFlow {tf.__version__}"]
    return ", ".join(parts)


def read_cpuinfo():
    """(flags, clock in MHz or None, where the clock was read): /proc/cpuinfo's 'cpu MHz', else lscpu's."""
    flags, mhz, source = set(), None, "the 'cpu MHz' line of /proc/cpuinfo"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "flags" and not flags:
                    flags = set(value.split())
                elif key == "cpu MHz" and mhz is None:
                    mhz = float(value)
    except OSError:
        pass
    if mhz is None:
        try:
            for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
                if line.startswith(("CPU MHz", "CPU max MHz")):
                    mhz, source = float(line.split(":", 1)[1]), f"lscpu's '{line.split(':', 1)[0]}'"
                    break
        except (OSError, ValueError):
            pass
    return flags, mhz, source


def fp32_peak(fma_units=None):
    """(peak fp32 FLOP/s or None, a sentence saying how it was computed)."""
    flags, mhz, source = read_cpuinfo()
    cores = len(os.sched_getaffinity(0))
    if "avx512f" in flags:
        lanes, isa = 16, "AVX-512 (avx512f)"
    elif "avx2" in flags:
        lanes, isa = 8, "AVX2"
    else:
        lanes, isa = 4, "SSE"
    fma = "fma" in flags or "avx512f" in flags
    assumed = fma_units is None
    units = 2 if assumed else fma_units
    if mhz is None:
        return None, "fp32 peak unknown: no clock reading in /proc/cpuinfo or lscpu"
    peak = cores * lanes * (2 if fma else 1) * units * mhz * 1e6
    units_source = "assumed, as on AVX-512/AVX2 server cores; --fma-units overrides" if assumed else "from --fma-units"
    how = (f"{cores} cores × {lanes} fp32 lanes ({isa} in /proc/cpuinfo flags) × "
           f"{'2 FLOPs per fused multiply-add' if fma else '1 FLOP per instruction (no FMA flag)'} × "
           f"{units} FMA units per core ({units_source}) "
           f"× {mhz:.0f} MHz (the nominal/base reading of {source}, not a measured clock: "
           f"AVX-512 code may run slower, turbo faster) = {peak / 1e9:.1f} GFLOP/s")
    return peak, how


def cpu_seconds():
    """(busy, stolen) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="utf-8") as stream:
            fields = [int(value) for value in stream.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    hertz = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / hertz, steal / hertz


class Stopwatch:
    """Wall time, this process's CPU time and the rest of the machine's CPU time over a `with` block."""

    def __enter__(self):
        self._machine = cpu_seconds()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall
        own = time.process_time() - self._cpu
        machine = cpu_seconds()
        self.stats = {"wall": self.wall, "own_cores": own / self.wall}
        if machine and self._machine:
            busy, steal = (after - before for after, before in zip(machine, self._machine))
            self.stats.update(others_cores=max(0.0, busy - own) / self.wall, steal_cores=steal / self.wall)
