"""The two processes behind a check: a zygote that forks one process per student file, and the judge.

The zygote imports TensorFlow and the checkers once, then forks a fresh child for each
job: the child loads one student file, records what its code produces
(`lessons.exercises.record`) and exits, so no file's code ever shares a process with
another's. The zygote kills a child that outlives its time limit (its whole process
group) while other children go on. The judge (`serve_judge`) never loads a student's
file: it replays the checks from a record and sends the verdicts.

Both speak JSON lines on a private copy of stdin/stdout; both are made non-dumpable,
so that a child cannot open their file descriptors through /proc.
"""
import ctypes
import json
import os
import select
import signal
import sys
import tempfile
import time

#: A student's process may write this much record before it is stopped (a runaway writer).
MAX_RECORD_BYTES = 64 * 2 ** 20


def _private_channels():
    """(jobs, answers): the process's stdin/stdout kept for the protocol; 0 and 1 become /dev/null and stderr."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    jobs = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    sys.dont_write_bytecode = True  # leave no __pycache__ in students' folders
    try:  # PR_SET_DUMPABLE = 4: other processes of this user cannot read our /proc/<pid>/fd
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    return jobs, answers


def _lines(fd, buffer):
    """Read what is ready on `fd` into `buffer`; return (complete lines, open?)."""
    data = os.read(fd, 1 << 16)
    if not data:
        return [], False
    buffer.extend(data)
    *lines, rest = bytes(buffer).split(b"\n")
    buffer[:] = rest
    return lines, True


def _describe_status(status):
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _last_words(stderr):
    stderr.seek(0)
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


class _Child:
    """A forked student process: its job, the pipe it writes its record to, its deadline and its end."""

    def __init__(self, job, pid, fd, stderr):
        self.job, self.pid, self.fd, self.stderr = job, pid, fd, stderr
        self.deadline = time.monotonic() + float(job["timeout"])
        self.buffer, self.lines, self.size = bytearray(), [], 0
        self.status, self.timed_out, self.too_big = None, False, False


def _child_main(job, write_fd, keep_closed):
    """In the forked child: load the student's file, record, exit. Never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        for fd in keep_closed:
            os.close(fd)
        from lessons.exercises.record import record
        try:
            with open(job["path"], encoding="utf-8") as file:
                source = file.read()
        except (OSError, UnicodeDecodeError) as error:
            source = error
        _drop_privileges()

        def write(message):
            os.write(write_fd, (json.dumps(message) + "\n").encode())
        record(job["exercise"], job["path"], write, source)
    except BaseException:  # noqa: B036 - the child must never return into the zygote's loop
        code = 70
    finally:
        os._exit(code)


#: The user a student's process runs as when the checker runs as root (as in containers and autograders).
UNPRIVILEGED = 65534  # nobody


def _drop_privileges():
    """As root, become `nobody`: the student's code can then neither signal nor open this user's processes."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(UNPRIVILEGED)
        os.setuid(UNPRIVILEGED)


def _valid_job(job):
    return (isinstance(job, dict) and isinstance(job.get("id"), int) and isinstance(job.get("exercise"), str)
            and isinstance(job.get("path"), str) and isinstance(job.get("timeout"), (int, float)))


def _start_child(job, open_fds):
    read_fd, write_fd = os.pipe()
    stderr = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.dup2(stderr.fileno(), 2)
        _child_main(job, write_fd, open_fds)
    os.close(write_fd)
    return _Child(job, pid, read_fd, stderr)


def _warm_up():
    """Import and use once what every child and judgement needs (graph building only: no Session, no threads)."""
    import tensorflow as tf

    from lessons.exercises import record, replay  # noqa: F401
    from lessons.exercises.evidence import decode, encode
    graph = tf.Graph()
    with graph.as_default():
        variable = tf.Variable(1.0, name="v")
        record = encode((graph, variable * 2.0, variable))
    decode(record)


def serve_zygote():
    """The zygote's loop: fork a child per job read from stdin; answer each job's record and end on stdout."""
    jobs_fd, answers = _private_channels()
    import tensorflow  # noqa: F401  (paid once, shared by every child)
    from lessons.exercises import EXERCISES
    from lessons.exercises.checkers import mnist_sample
    from lessons.exercises.checks import checks_for
    for exercise in EXERCISES:
        checks_for(exercise.name)
    mnist_sample()  # NumPy arrays only: no TensorFlow thread pool exists before fork
    _warm_up()
    answers.write(json.dumps({"ready": True}) + "\n")
    children, buffer = {}, bytearray()
    while True:
        ready, _, _ = select.select([jobs_fd] + [child.fd for child in children.values() if child.fd is not None],
                                    [], [], 0.05)
        if jobs_fd in ready:
            lines, still_open = _lines(jobs_fd, buffer)
            if not still_open:
                break
            for line in lines:
                try:
                    job = json.loads(line)
                except ValueError:
                    continue
                if not _valid_job(job):
                    continue
                open_fds = [jobs_fd, answers.fileno()] + [c.fd for c in children.values() if c.fd is not None]
                child = _start_child(job, open_fds)
                children[child.pid] = child
        for child in children.values():
            if child.fd is not None and child.fd in ready:
                _read_child(child)
        _reap(children, answers)
    for child in children.values():
        _kill(child)


def _read_child(child):
    lines, still_open = _lines(child.fd, child.buffer)
    child.lines.extend(line.decode(errors="replace") for line in lines)
    child.size += sum(len(line) for line in lines)
    if child.size > MAX_RECORD_BYTES:
        child.too_big = True
        _kill(child)
    if not still_open or child.too_big:
        os.close(child.fd)
        child.fd = None


def _kill(child):
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(children, answers):
    now = time.monotonic()
    for pid, child in list(children.items()):
        if child.status is None:
            if now > child.deadline and not child.timed_out:
                child.timed_out = True
                _kill(child)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                child.status = _describe_status(status)
        if child.status is not None and (child.fd is None or child.timed_out):
            if child.fd is not None:
                os.close(child.fd)
            messages = []
            for line in child.lines:
                try:
                    messages.append(json.loads(line))
                except ValueError:
                    messages.append(None)
            answers.write(json.dumps({"job": child.job["id"], "messages": messages, "status": child.status,
                                      "timed_out": child.timed_out, "too_big": child.too_big,
                                      "last_words": _last_words(child.stderr)}) + "\n")
            child.stderr.close()
            del children[pid]


def serve_judge():
    """The judge's loop: for each record read from stdin, replay the checks and answer the verdicts."""
    jobs_fd, answers = _private_channels()
    import tensorflow  # noqa: F401
    from lessons.exercises.checks import checks_for
    from lessons.exercises.replay import Tampered, judge
    _warm_up()
    answers.write(json.dumps({"ready": True}) + "\n")
    with os.fdopen(jobs_fd) as jobs:
        for line in jobs:
            request = json.loads(line)
            try:
                if request.get("describe"):
                    answers.write(json.dumps({"checks": [one.description for one in checks_for(request["describe"])],
                                              "results": []}) + "\n")
                    continue
                descriptions, results = judge(request["exercise"], request["path"], request["messages"])
                answer = {"checks": descriptions, "results": [result._asdict() for result in results]}
            except Tampered as error:
                answer = {"tampered": str(error),
                          "checks": [one.description for one in checks_for(request["exercise"])]}
            except Exception as error:  # the checker's own bug: say so rather than hang the parent
                answer = {"error": f"{type(error).__name__}: {error}"}
            answers.write(json.dumps(answer) + "\n")
