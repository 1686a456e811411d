"""The fork server: TensorFlow imported once, a fresh, isolated child forked for each submission.

    python -E -s -B -m box.zygote OPTIONS_JSON

It runs inside a sandbox (bubblewrap) and imports its role's module (`box.student` for
the student's side, the judge's module for the judge), whose `warm_up` imports
TensorFlow and whatever else every child needs. Then it says it is ready on its control
socket (file descriptor `options["control"]`, a SOCK_SEQPACKET socket to the grader) and
waits. For each `spawn` message, which carries two file descriptors (the child's channel
to the grader and the pipe for its stderr), it forks a child that isolates itself
(`box.isolate`), says hello on the channel with its credentials (so the grader learns its
process id) and serves its role there. The fork server itself never reads a submission
nor anything a child sends: a child cannot learn from it what another child did.
"""
import importlib
import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import traceback

from . import isolate, wire

#: How a child isolates itself: fresh namespaces, a user of its own (root only), or nothing (no sandbox).
NAMESPACES, USER, NONE = "namespaces", "user", "none"


def describe_status(status):
    """'exit status N' or 'killed by signal N' for a wait status."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by signal {-code}"
    if code > 128:  # a child in its own PID namespace reports the signal that ended it as 128 + N
        return f"killed by signal {code - 128}"
    return f"exit status {code}"


def hello(channel):
    """Send the first frame with this process's credentials: the grader reads its real process id from them."""
    credentials = struct.pack("iII", os.getpid(), os.getuid(), os.getgid())
    channel.sendmsg([wire.pack({"hello": True})], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])


def _isolate(options, limits, keep):
    """In the forked child: isolate it as `options["isolation"]` says; return in the process that serves."""
    isolation = options["isolation"]
    isolate.die_with_parent()
    if isolation == NAMESPACES:
        isolate.enter_namespaces()
        inner = os.fork()
        if inner:  # stays outside the new PID namespace: wait for its PID 1, then end the same way
            for fd in keep:
                os.close(fd)
            code = os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1])
            os._exit(code if code >= 0 else 128 - code)
        isolate.die_with_parent()
        isolate.private_mounts(limits["tmp"])
        isolate.drop_capabilities()
        os.chdir("/tmp")
    else:
        os.setsid()  # its own process group, killed as one
        if isolation == USER and options.get("child_user"):
            uid, gid = options["child_user"]
            isolate.become(uid, gid)
        else:
            isolate.no_new_privileges()
        if limits.get("workdir"):  # a folder the grader made for this child, and removes after it
            os.chdir(limits["workdir"])
            os.environ["TMPDIR"] = tempfile.tempdir = limits["workdir"]
    isolate.set_limits(limits)


def _child(options, role, request, channel_fd, err_fd):
    """The forked child: isolate, point stdio at the stderr pipe, say hello, serve. Never returns."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        top = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096
        low, high = sorted((channel_fd, err_fd))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, min(top, 65536))
        _isolate(options, request["limits"], (channel_fd, err_fd))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(err_fd, 1)
        os.dup2(err_fd, 2)
        os.close(devnull)
        os.close(err_fd)
        channel = socket.socket(fileno=channel_fd)
        hello(channel)
        role.serve(channel, request)
        code = 0
    except BaseException:  # noqa: B036 - the child must never return into the server's loop
        try:
            os.write(2, traceback.format_exc()[-2000:].encode())
        except OSError:
            pass
    finally:
        os._exit(code)


class Server:
    """The fork server's state: its role, its control socket and the children it forked (number -> pid)."""

    def __init__(self, options, control, role):
        self.options, self.control, self.role = options, control, role
        self.children = {}

    def spawn(self, request, fds):
        """Fork a child for `request` with its two descriptors; the parent keeps neither."""
        if len(fds) != 2 or not isinstance(request.get("spawn"), int):
            for fd in fds:
                os.close(fd)
            return
        channel_fd, err_fd = fds
        pid = os.fork()
        if pid == 0:
            self.control.close()
            _child(self.options, self.role, request, channel_fd, err_fd)
        os.close(channel_fd)
        os.close(err_fd)
        self.children[pid] = request["spawn"]

    def kill(self, number):
        """Kill child `number` and all it started (its PID namespace, or its process group)."""
        for pid, known in self.children.items():
            if known == number:
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass

    def reap(self):
        """Collect the children that ended and tell the grader how each ended."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            number = self.children.pop(pid, None)
            if number is not None:
                self.say({"ended": number, "status": describe_status(status)})

    def say(self, message):
        """Send one message to the grader on the control socket."""
        self.control.send(json.dumps(message).encode())

    def serve_forever(self, wakeup):
        """Answer spawn and kill messages until the grader closes the control socket; then kill every child."""
        while True:
            ready, _, _ = select.select([self.control, wakeup], [], [], 1.0)
            if wakeup in ready:
                os.read(wakeup, 4096)
            self.reap()
            if self.control not in ready:
                continue
            data, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 4)
            if not data:
                break
            try:
                request = json.loads(data)
            except ValueError:
                request = {}
            if "spawn" in request:
                self.spawn(request, fds)
            elif "kill" in request:
                self.kill(request["kill"])
        for number in list(self.children.values()):
            self.kill(number)


def main(argv=None):
    """Warm up the role, say ready, serve until the control socket closes."""
    options = json.loads((argv or sys.argv)[1])
    sys.path[:0] = options.get("path", [])
    sys.dont_write_bytecode = True
    control = socket.socket(fileno=options["control"])
    role = importlib.import_module(options["role"])
    ready = role.warm_up(options)
    if options.get("drop_to"):  # a judge started by root without bubblewrap: never judge as root
        isolate.become(*options["drop_to"])
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.signal(signal.SIGCHLD, lambda *unused: None)
    signal.set_wakeup_fd(wakeup_write)
    server = Server(options, control, role)
    server.say({"ready": ready})
    server.serve_forever(wakeup_read)
    os._exit(0)  # skip TensorFlow's slow interpreter teardown: nothing is left to flush


if __name__ == "__main__":
    main()
