"""A cgroup per sandboxed process (memory and process count), where the grader may make one.

Root can make cgroups under its own (cgroup v1's `memory` and `pids` hierarchies, or
cgroup v2's unified one); an ordinary user usually cannot, and then the rlimits every
child sets (`box.isolate.set_limits`) are the only limits. A process is moved into its
cgroup as soon as it says hello, before any of a submission's code runs; everything it
starts inherits the cgroup.
"""
import itertools
import os
import time

_ROOT = "/sys/fs/cgroup"
_runs = itertools.count(1)


def _own(controller):
    """The path of this process's cgroup for `controller` ('' for v2's unified hierarchy), or None."""
    try:
        with open("/proc/self/cgroup", encoding="ascii") as lines:
            for line in lines:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controller in controllers.split(",") or (controller == "" and controllers == ""):
                    return path
    except OSError:
        pass
    return None


class Cgroups:
    """Per-process cgroups with `memory` bytes and `processes` tasks at most; does nothing where it cannot."""

    def __init__(self, memory, processes):
        self.memory, self.processes = int(memory), int(processes)
        self.numbers = itertools.count(1)
        self.pending = []  # cgroups whose processes were still going when they were removed: tried again at the end
        self.parents = self._make_parents()

    def _make_parents(self):
        if os.geteuid() != 0:
            return []
        run = f"tfgraph-grader-{os.getpid()}-{next(_runs)}"  # one per Cgroups, even several in one process
        v1 = [(controller, _own(controller)) for controller in ("memory", "pids")]
        if all(path is not None for _, path in v1) and all(os.path.isdir(f"{_ROOT}/{c}") for c, _ in v1):
            candidates = [(controller, f"{_ROOT}/{controller}{path.rstrip('/')}/{run}") for controller, path in v1]
        elif os.path.isfile(f"{_ROOT}/cgroup.controllers") and _own("") is not None:
            candidates = [("unified", f"{_ROOT}{_own('').rstrip('/')}/{run}")]
        else:
            return []
        for _, path in candidates:
            self._remove_stale(os.path.dirname(path))
        made = []
        try:
            for _, path in candidates:
                os.mkdir(path)
                made.append(path)
        except OSError:
            self._remove(made)
            return []
        return candidates

    def place(self, pid):
        """Move process `pid` into a cgroup of its own; return its paths (to remove later), [] if none."""
        if not self.parents or pid is None:
            return []
        number = next(self.numbers)
        made = []
        try:
            for controller, parent in self.parents:
                path = f"{parent}/{number}"
                os.mkdir(path)
                made.append(path)
                self._limit(controller, path)
                with open(f"{path}/cgroup.procs", "w", encoding="ascii") as procs:
                    procs.write(str(pid))
        except OSError:
            return made  # the rlimits still hold
        return made

    def _limit(self, controller, path):
        settings = {"memory": [("memory.limit_in_bytes", self.memory)], "pids": [("pids.max", self.processes)],
                    "unified": [("memory.max", self.memory), ("pids.max", self.processes), ("memory.swap.max", 0)]}
        for name, value in settings[controller]:
            if os.path.exists(f"{path}/{name}"):
                with open(f"{path}/{name}", "w", encoding="ascii") as setting:
                    setting.write(str(value))

    @staticmethod
    def _remove(paths, tries=50):
        """Remove each cgroup once its last process is gone (waiting up to tries x 20 ms); return those left."""
        left = []
        for path in reversed(paths):
            for _ in range(tries):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                left.append(path)
        return left

    def _remove_stale(self, folder):
        """Remove the empty cgroups that earlier runs, now ended, left in `folder` (a run killed before its end)."""
        try:
            names = [name for name in os.listdir(folder) if name.startswith("tfgraph-grader-")]
        except OSError:
            return
        for name in names:
            if not os.path.exists(f"/proc/{name.split('-')[2]}"):
                run = os.path.join(folder, name)
                children = [entry.path for entry in os.scandir(run) if entry.is_dir()]
                self._remove([run] + children, tries=1)  # removed in reverse: the children first

    def remove(self, paths):
        """Remove the cgroups `place` made (after their processes ended); those still busy are tried again later."""
        self.pending += self._remove(paths)

    def close(self):
        """Remove what is left of the run's cgroups, then its parent cgroups."""
        self._remove(self.pending, tries=250)
        self._remove([path for _, path in self.parents], tries=250)
        self.parents, self.pending = [], []
