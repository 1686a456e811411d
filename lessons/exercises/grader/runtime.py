"""The grader's processes: two fork servers, and for each file a fresh child of each.

A `Zygote` is one fork server (`box.zygote`) started by `sandbox.start_zygote`, with a
SOCK_SEQPACKET control socket: it says ready (the judge's also lists every exercise's
checks), forks a child per `spawn` (handing it the two descriptors sent with the
message), and reports each child's end. A `Child` is the grader's handle on one forked
process: its channel (a stream of frames, whose first carries the child's credentials, so
its real process id is known and it can be killed and put in a cgroup), and the pipe its
stderr goes to, of which only the last `TAIL_BYTES` are kept. `Runtime` holds both fork
servers for a run, restarts one that died, and hands out a `Pair` of children per file.
"""
import itertools
import json
import os
import select
import shutil
import signal
import socket
import struct
import tempfile
import threading

from lessons.exercises.grader import sandbox
from lessons.exercises.grader.box import wire
from lessons.exercises.grader.cgroups import Cgroups
from lessons.exercises.grader.reports import one_line

#: Seconds a fork server may take to import TensorFlow and say it is ready.
STARTUP_TIMEOUT = 300.0
#: Seconds a forked child may take to isolate itself and say hello.
HELLO_TIMEOUT = 60.0
#: Each sandboxed process: memory beyond what it maps at its start, tasks (threads count), file size, /tmp.
LIMITS = {"memory": 2 * 2 ** 30, "processes": 128, "file_size": 32 * 2 ** 20, "tmp": 64 * 2 ** 20}
#: Seconds a judge may take beyond the student's time limit.
JUDGE_EXTRA = 60.0
#: Memory a file's process may use in its cgroup (where the grader can make one).
CGROUP_MEMORY = 3 * 2 ** 30
#: The last bytes of a process's stderr that are kept (for "its last words").
TAIL_BYTES = 4096
_CREDENTIALS = struct.Struct("iII")


class WorkerFailed(RuntimeError):
    """A fork server could not start, or cannot isolate a child; the message says why."""


class ChildFailed(RuntimeError):
    """A forked child did not say hello; the message says why."""


class Child:
    """The grader's handle on one forked child: channel, stderr tail, real process id."""

    def __init__(self, zygote, number, channel, err):
        self.zygote, self.number, self.channel, self.err = zygote, number, channel, err
        self.frames = wire.Frames()
        self.tail = bytearray()
        self.pid = None
        self.pidfd = None
        self.cgroups = []
        self.workdir = None

    def hello(self):
        """Wait for the child's first frame; learn its process id from the credentials that come with it."""
        ready, _, _ = select.select([self.channel], [], [], HELLO_TIMEOUT)
        data, ancillary = (self.channel.recvmsg(1 << 16, socket.CMSG_SPACE(_CREDENTIALS.size))[:2] if ready
                           else (b"", []))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(payload) >= _CREDENTIALS.size:
                self.pid = _CREDENTIALS.unpack_from(payload)[0]
        self.frames.feed(data)
        if not self.frames.ready or wire.parse(self.frames.ready.popleft()) != {"hello": True}:
            self.drain()
            raise ChildFailed(f"a {self.zygote.role}'s process did not start"
                              + (f" ({self.status()})" if self.status() else "") + f": {self.last_words(5)}")
        try:
            self.pidfd = os.pidfd_open(self.pid) if self.pid else None
        except OSError:
            self.pidfd = None

    def drain(self):
        """Read what is waiting on the stderr pipe, keeping the last TAIL_BYTES."""
        try:
            data = os.read(self.err, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            os.close(self.err)
            self.err = None
            return
        self.tail.extend(data)
        del self.tail[:-TAIL_BYTES]

    def last_words(self, lines=1):
        """The last lines the child wrote to stderr, cleaned."""
        text = bytes(self.tail).decode("utf-8", "replace")
        found = [line.strip() for line in text.splitlines() if line.strip()]
        return one_line(" ".join(found[-lines:]), 500)

    def status(self, wait=2.0):
        """How the child ended ('exit status 3', 'killed by signal 9'), waiting up to `wait` s; None if unknown."""
        return self.zygote.status(self.number, wait)

    def close(self):
        """Kill the child and everything it started; wait until the fork server saw it end."""
        if self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass
            os.close(self.pidfd)
            self.pidfd = None
        self.zygote.kill(self.number)
        self.channel.close()
        if self.err is not None:
            os.close(self.err)
            self.err = None
        self.zygote.status(self.number, 5.0)
        self.zygote.forget(self.number)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Zygote:
    """One fork server: its process, its control socket, and what it reported."""

    def __init__(self, role, mode, exercises):
        self.role = role
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process, self.stderr = sandbox.start_zygote(role, mode, theirs.fileno(), exercises)
        finally:
            theirs.close()
        self.numbers = itertools.count(1)
        self.ended, self.gone, self.ready = {}, False, None
        self.condition = threading.Condition()
        self.lock = threading.Lock()

    def last_words(self, lines=3):
        """The last lines the fork server wrote to stderr."""
        self.stderr.seek(0)
        found = [line.strip() for line in self.stderr.read().decode(errors="replace").splitlines() if line.strip()]
        return " ".join(found[-lines:])

    def wait_ready(self):
        """Wait until the fork server is ready; WorkerFailed with its real reason if it is not."""
        readable, _, _ = select.select([self.control], [], [], STARTUP_TIMEOUT)
        data = self.control.recv(1 << 22) if readable else b""
        message = json.loads(data) if data else None
        if not (isinstance(message, dict) and "ready" in message):
            words = self.last_words() or f"it was not ready after {STARTUP_TIMEOUT:.0f} s"
            self.close()
            raise WorkerFailed(f"The grader's {self.role} process did not start: {words}. Check that "
                               f"`python -c \"import tensorflow\"` works in this environment.")
        self.ready = message["ready"]
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self):
        while True:
            try:
                data = self.control.recv(1 << 16)
            except OSError:
                data = b""
            with self.condition:
                if not data:
                    self.gone = True
                    self.condition.notify_all()
                    return
                message = json.loads(data)
                if "ended" in message:
                    self.ended[message["ended"]] = str(message.get("status"))
                    self.condition.notify_all()

    def spawn(self, limits):
        """Ask for a fresh child with `limits` (and its `workdir`, outside namespaces); return its Child."""
        number = next(self.numbers)
        channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        err_read, err_write = os.pipe()
        os.set_blocking(err_read, False)
        try:
            with self.lock:
                socket.send_fds(self.control, [json.dumps({"spawn": number, "limits": limits}).encode()],
                                [theirs.fileno(), err_write])
        except OSError:
            channel.close()
            os.close(err_read)
            raise ChildFailed(f"the grader's {self.role} process is gone") from None
        finally:
            theirs.close()
            os.close(err_write)
        child = Child(self, number, channel, err_read)
        child.workdir = limits.get("workdir")
        return child

    def kill(self, number):
        """Ask the fork server to kill child `number` and all it started."""
        try:
            with self.lock:
                self.control.send(json.dumps({"kill": number}).encode())
        except OSError:
            pass

    def status(self, number, wait):
        """How child `number` ended, waiting up to `wait` s for the fork server to say; None if it did not."""
        with self.condition:
            self.condition.wait_for(lambda: number in self.ended or self.gone, timeout=wait)
            return self.ended.get(number)

    def forget(self, number):
        """Drop what was kept about child `number`."""
        with self.condition:
            self.ended.pop(number, None)

    def close(self):
        """End the fork server (it kills its children first) and wait for its sandbox to be gone."""
        try:
            self.control.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - whatever it is doing, it must end
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.stderr.close()


class Pair:
    """One file's two children: the student's side and its judge."""

    def __init__(self, student, judge, cgroups):
        self.student, self.judge, self.cgroups = student, judge, cgroups

    def close(self):
        """Kill both, remove their cgroups."""
        for child in (self.student, self.judge):
            child.close()
            self.cgroups.remove(child.cgroups)


class Runtime:
    """The run's two fork servers, and a fresh Pair of children for each file."""

    def __init__(self, mode=None, exercises=None):
        self.mode, self.exercises = mode or sandbox.BWRAP, list(exercises or [])
        self.zygotes, self.lock = {}, threading.Lock()
        self.cgroups = Cgroups(CGROUP_MEMORY, LIMITS["processes"])
        try:
            for role in ("student", "judge"):  # both import TensorFlow at the same time
                self.zygotes[role] = Zygote(role, self.mode, self.exercises)
            for zygote in self.zygotes.values():
                zygote.wait_ready()
            self.descriptions = self.zygotes["judge"].ready.get("checks", {})
            try:  # a sandbox that cannot isolate a child must stop the run, not fail every file
                self.pair(10.0).close()
            except ChildFailed as failed:
                raise WorkerFailed(f"The grader's sandbox cannot isolate a process here: {failed}.") from None
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _live(self, role):
        with self.lock:
            zygote = self.zygotes[role]
            if zygote.gone or zygote.process.poll() is not None:
                zygote.close()
                zygote = self.zygotes[role] = Zygote(role, self.mode, self.exercises)
                zygote.wait_ready()
            return zygote

    def pair(self, timeout):
        """A fresh student's child and judge's child for one file, each in its cgroup; ChildFailed if not.

        Both fork servers are asked first and fork at the same time; then each child's hello is awaited.
        """
        children = []
        try:
            for role, seconds in (("student", timeout), ("judge", timeout + JUDGE_EXTRA)):
                workdir = self._workdir(role)
                try:
                    children.append(self._live(role).spawn(dict(LIMITS, cpu=int(seconds * 2 + 10), workdir=workdir)))
                except BaseException:
                    if workdir:
                        shutil.rmtree(workdir, ignore_errors=True)
                    raise
            for child in children:
                child.hello()
                child.cgroups = self.cgroups.place(child.pid)
        except BaseException:
            for child in children:
                child.close()
            raise
        return Pair(children[0], children[1], self.cgroups)

    def _workdir(self, role):
        """Outside namespaces, a fresh folder for a child's files (its own user's, as root); None inside."""
        if self.mode == sandbox.BWRAP:
            return None
        folder = tempfile.mkdtemp(prefix=f"tfgraph-grading-{role}-")
        if self.mode == sandbox.USERS:
            owner = sandbox.STUDENT_ID if role == "student" else sandbox.JUDGE_ID
            os.chown(folder, owner, owner)
        return folder

    def sandboxes(self):
        """The process ids of the fork servers' sandboxes (for tests that check nothing is left behind)."""
        return [zygote.process.pid for zygote in self.zygotes.values()]

    def close(self):
        """Stop both fork servers and remove the run's cgroups."""
        for zygote in self.zygotes.values():
            zygote.close()
        self.zygotes = {}
        self.cgroups.close()
