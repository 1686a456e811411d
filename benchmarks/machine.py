"""Describe the machine a benchmark ran on: CPU, cores, memory, versions."""
import os
import platform


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
