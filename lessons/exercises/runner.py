"""Run exercises' checks in worker processes, each exercise within a time limit.

A worker is a Python process that imports TensorFlow once, then runs one job after
another: a job is one exercise's checks on one student file. It reads jobs as JSON
lines on its stdin and answers on a private copy of its stdout (what the student's code
prints cannot get mixed in). When a job outlives its time limit, or the student's code
ends the process, the worker is stopped and a fresh one takes the next job. Several
workers can run side by side (`workers=`), each taking the next job in line.

No TensorFlow is imported in the process that calls `grade`.
"""
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

from lessons.exercises.checks import Result

#: Seconds one exercise's checks may take, by default (the command line's --timeout).
DEFAULT_TIMEOUT = 60.0
#: Seconds a new worker may take to import TensorFlow and say it is ready.
STARTUP_TIMEOUT = 180.0

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `lessons` and `tfgraph`


class Job(NamedTuple):
    """One exercise to check on one file; `student` labels it in a class table."""
    exercise: str
    path: str
    student: str = ""


class Report:
    """What checking one job found: the checks' descriptions, their results, and any reason it stopped early."""

    def __init__(self, job):
        self.job = job
        self.checks = []     # descriptions, in order, as the worker announced them
        self.results = []    # Result for each check that finished
        self.problem = None  # why the remaining checks did not run (time limit, crash), if they did not
        self.seconds = 0.0

    @property
    def passed(self):
        """How many checks passed."""
        return sum(result.passed for result in self.results)

    @property
    def total(self):
        """How many checks the exercise has."""
        return max(len(self.checks), len(self.results))

    @property
    def ok(self):
        """True when every check ran and passed."""
        return self.problem is None and self.total > 0 and self.passed == self.total

    def unfinished(self):
        """Descriptions of the checks that did not finish."""
        return self.checks[len(self.results):]


class WorkerFailed(RuntimeError):
    """A worker process could not start; the message says why."""


def serve():
    """The worker's main loop: run the jobs read from stdin, answer on a private copy of stdout."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    jobs = os.fdopen(os.dup(0), "r")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # a student's input() gets EOF instead of the next job
    os.dup2(2, 1)        # C-level prints go to the worker's stderr, not into the answers
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    sys.dont_write_bytecode = True  # leave no __pycache__ in students' folders

    def send(**message):
        answers.write(json.dumps(message) + "\n")

    import tensorflow  # noqa: F401  (paid once per worker, not once per job)
    from lessons.exercises.checks import checks_for, run_checks

    send(ready=True)
    for line in jobs:
        job = json.loads(line)
        try:
            checks = checks_for(job["exercise"])
            send(checks=[one.description for one in checks])
            for result in run_checks(checks, job["path"]):
                send(result=result._asdict())
        except Exception as error:  # the checker's own bug: say so rather than hang the parent
            send(error=f"{type(error).__name__}: {error}")
        send(done=True)


class Worker:
    """One worker process and the thread that reads its answers."""

    def __init__(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from lessons.exercises.runner import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env, text=True)
        self.answers = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next(STARTUP_TIMEOUT)
        if not (ready and ready.get("ready")):
            self.stop()
            raise WorkerFailed("The checker's worker process did not start: " + (self.last_words() or
                               f"it was not ready after {STARTUP_TIMEOUT:.0f} s"))

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(json.loads(line))
        self.answers.put(None)  # the process ended

    def _next(self, timeout):
        """The next answer; None if the process ended; raises queue.Empty after `timeout` seconds."""
        return self.answers.get(timeout=max(timeout, 0.01))

    def last_words(self):
        """The last line the worker wrote to stderr (why it died, usually)."""
        self.stderr.seek(0)
        lines = [line.strip() for line in self.stderr.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def exit_status(self):
        """How the worker process ended, in words: 'exit status 3' or 'killed by signal 9'."""
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return "still running"
        return f"killed by signal {-code}" if code < 0 else f"exit status {code}"

    def run(self, job, timeout, on_result=None):
        """Check `job` within `timeout` seconds; return its Report. The worker is unusable if report.problem is set."""
        report = Report(job)
        started = time.monotonic()
        self.process.stdin.write(json.dumps({"exercise": job.exercise, "path": job.path}) + "\n")
        self.process.stdin.flush()
        while True:
            try:
                answer = self._next(started + timeout - time.monotonic())
            except queue.Empty:
                report.problem = (f"Stopped after the time limit of {timeout:g} s. Does your code loop forever "
                                  f"(a while loop whose condition never changes?) or train for far more steps "
                                  f"than the task asks?")
                break
            if answer is None:
                report.problem = (f"The checker's process ended ({self.exit_status()}) while running your code. "
                                  f"Does it call os._exit(), or crash Python (running out of memory, say)?")
                break
            if "checks" in answer:
                report.checks = answer["checks"]
            elif "result" in answer:
                result = Result(**answer["result"])
                report.results.append(result)
                if on_result:
                    on_result(report, result)
            elif "error" in answer:
                report.problem = "The checker itself failed (please tell your teacher): " + answer["error"]
            elif answer.get("done"):
                break
        report.seconds = time.monotonic() - started
        return report

    def stop(self):
        """End the worker process (it was started by this object) and wait for it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.stderr.close()


def grade(jobs, timeout=DEFAULT_TIMEOUT, workers=1, on_result=None, on_report=None):
    """Check every job, in up to `workers` worker processes; return the Reports in the jobs' order.

    `on_result(report, result)` is called as each check finishes and `on_report(report)`
    as each job does (from the workers' threads, one call at a time).
    """
    jobs = list(jobs)
    reports = [None] * len(jobs)
    todo = queue.Queue()
    for index, job in enumerate(jobs):
        todo.put(index)
    lock = threading.Lock()
    failures = []

    def locked(callback):
        if callback is None:
            return None

        def call(*args):
            with lock:
                callback(*args)
        return call

    result_callback, report_callback = locked(on_result), locked(on_report)

    def work():
        worker = None
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                if worker is None:
                    worker = Worker()
                report = worker.run(jobs[index], timeout, result_callback)
                reports[index] = report
                if report.problem is not None:  # it may be stuck or dead: start afresh for the next job
                    worker.stop()
                    worker = None
                if report_callback:
                    report_callback(report)
        except BaseException as error:
            failures.append(error)
        finally:
            if worker is not None:
                worker.stop()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return reports
