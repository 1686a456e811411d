"""Check students' files: each in a process of its own, each verdict decided by a process that never ran it.

`grade` starts two helper processes (`lessons.exercises.sandbox`): a zygote, which has
TensorFlow imported and forks a fresh process per file (so no file's code touches
another's), and a judge, which replays the checks from what each file's process
recorded and decides (so no file can patch the checker that grades it). Up to
`workers` files run at once; one that outlives its time limit is killed alone while the
others go on.

No TensorFlow is imported in the process that calls `grade`.
"""
import contextlib
import json
import math
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
#: Seconds a helper process may take to import TensorFlow and say it is ready.
STARTUP_TIMEOUT = 180.0
#: The verdict's opening words when the record cannot come from the checker's own code.
TAMPERED = "The checker was tampered with"
#: The problem of a Report whose file was not handed in.
MISSING = "Not handed in"

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `lessons` and `tfgraph`


class Job(NamedTuple):
    """One exercise to check on one file (None: not handed in); `student` labels it in a class table."""
    exercise: str
    path: str
    student: str = ""


class Report:
    """What checking one job found: the checks' descriptions, their results, and any reason it stopped early."""

    def __init__(self, job):
        self.job = job
        self.checks = []     # descriptions, in order
        self.results = []    # Result for each check that finished
        self.problem = None  # why the remaining checks did not run (time limit, crash, tampering), if they did not
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

    @property
    def status(self):
        """'passed', 'failed', 'missing', 'tampered' or 'stopped' (time limit, crash)."""
        if self.ok:
            return "passed"
        if self.problem is None:
            return "failed"
        for start, status in ((MISSING, "missing"), (TAMPERED, "tampered")):
            if self.problem.startswith(start):
                return status
        return "stopped"

    def first_hint(self):
        """The first failing check's hint, or why the checks stopped; '' when all passed."""
        failed = next((result for result in self.results if not result.passed), None)
        return failed.hint if failed else (self.problem or "")

    def unfinished(self):
        """Descriptions of the checks that did not finish."""
        return self.checks[len(self.results):]


class WorkerFailed(RuntimeError):
    """A helper process could not start or stopped answering; the message says why."""


def check_timeout(seconds):
    """`seconds` as a float if it is a finite number above 0, else ValueError saying so."""
    value = float(seconds)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"a time limit must be a finite number of seconds above 0, got {seconds!r}")
    return value


class Helper:
    """One helper process (zygote or judge): JSON lines in and out, its stderr kept for its last words."""

    def __init__(self, entry):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.name = entry
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from lessons.exercises.sandbox import {entry}; {entry}()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env, text=True)
        self.answers = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def wait_ready(self):
        """Wait until the process says it is ready; WorkerFailed with its real reason if it does not."""
        try:
            ready = self.answers.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            ready = None
        if not (ready and ready.get("ready")):
            words = self.last_words()
            self.stop()
            raise WorkerFailed("The checker's helper process did not start: " + (
                words or f"it was not ready after {STARTUP_TIMEOUT:.0f} s") + ". Check that "
                "`python -c \"import tensorflow\"` works in this environment.")

    def _read(self):
        for line in self.process.stdout:
            try:
                self.answers.put(json.loads(line))
            except ValueError:
                self.answers.put({"error": f"an unreadable answer: {line[:200]!r}"})
        self.answers.put(None)  # the process ended

    def send(self, message):
        """Write one request; False if the process is gone."""
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def last_words(self):
        """The last line the process wrote to stderr (why it died, usually)."""
        try:
            self.stderr.seek(0)
            text = self.stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def alive(self):
        """True while the process runs."""
        return self.process.poll() is None

    def stop(self):
        """End the process (started by this object) and wait for it."""
        for stream in (self.process.stdin,):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        try:
            self.process.stdout.close()
        except OSError:
            pass


class Turns:
    """Who may use the zygote: many first tries at once (`shared`), or one retry with nothing beside it (`alone`)."""

    def __init__(self):
        self.condition = threading.Condition()
        self.running, self.exclusive = 0, False

    @contextlib.contextmanager
    def shared(self):
        """Run beside other shared users, never beside an `alone` one."""
        with self.condition:
            self.condition.wait_for(lambda: not self.exclusive)
            self.running += 1
        try:
            yield
        finally:
            with self.condition:
                self.running -= 1
                self.condition.notify_all()

    @contextlib.contextmanager
    def alone(self):
        """Run with nothing else in the zygote, so a file that kills it again can only fail itself."""
        with self.condition:
            self.condition.wait_for(lambda: not self.exclusive and self.running == 0)
            self.exclusive = True
        try:
            yield
        finally:
            with self.condition:
                self.exclusive = False
                self.condition.notify_all()


class Zygote:
    """The zygote helper: runs one student file per forked child, several at once; restarts if it dies."""

    def __init__(self):
        self.turns = Turns()
        self.lock = threading.Lock()
        self.numbers = iter(range(1, 1 << 62))
        self.generation = 0
        self._launch()

    def _launch(self):
        self.helper = Helper("serve_zygote")
        self.waiting = {}
        self.ready = False

    def start(self):
        """Wait until the zygote is ready, then hand its answers to the jobs that wait for them."""
        self.helper.wait_ready()
        self.ready = True
        threading.Thread(target=self._dispatch, args=(self.helper, self.waiting), daemon=True).start()

    @staticmethod
    def _dispatch(helper, waiting):
        while True:
            answer = helper.answers.get()
            if answer is None:
                for box in list(waiting.values()):
                    box.put(None)
                return
            box = waiting.pop(answer.get("job"), None)
            if box is not None:
                box.put(answer)

    def run(self, job, timeout):
        """(answer, generation): the child's record and end for `job`; answer None if the zygote died."""
        box = queue.Queue()
        with self.lock:
            number, generation, helper, waiting = next(self.numbers), self.generation, self.helper, self.waiting
            waiting[number] = box
            sent = helper.alive() and helper.send({"id": number, "exercise": job.exercise, "path": job.path,
                                                   "timeout": timeout})
        if not sent:
            return None, generation
        try:
            return box.get(timeout=timeout + 20), generation
        except queue.Empty:
            return None, generation

    def restart(self, generation):
        """Start a fresh zygote, unless another thread did so since `generation`."""
        with self.lock:
            if generation != self.generation:
                return
            self.helper.stop()
            self.generation += 1
            self._launch()
            self.start()

    def stop(self):
        """End the zygote; it kills the children still running."""
        self.helper.stop()


class Judge:
    """The judge helper: one record at a time; restarted when it dies or overruns a time limit."""

    def __init__(self):
        self.lock = threading.Lock()
        self.helper = Helper("serve_judge")

    def start(self):
        """Wait until the judge is ready."""
        self.helper.wait_ready()

    def run(self, request, timeout):
        """The judge's answer for one record: checks and results, or tampered, or error."""
        with self.lock:
            stuck = False
            if self.helper.send(request):
                try:
                    answer = self.helper.answers.get(timeout=timeout + 60)
                except queue.Empty:
                    answer, stuck = {"error": f"judging took longer than the time limit of {timeout:g} s"}, True
            else:
                answer = None
            if answer is None or stuck:
                words = self.helper.last_words()
                self.helper.process.kill()
                self.helper.stop()
                self.helper = Helper("serve_judge")
                self.helper.wait_ready()
                if answer is None:
                    answer = {"error": f"the judge's process ended ({words or 'no reason given'})"}
            return answer


def _problem(answer, timeout, finished):
    """Why the checks after the first `finished` did not run, from how the student's process ended."""
    if answer.get("timed_out"):
        return (f"Stopped after the time limit of {timeout:g} s. Does your code loop forever (a while loop "
                f"whose condition never changes?) or train for far more steps than the task asks?")
    if answer.get("too_big"):
        return "Stopped: your code made the checker's record grow past 64 MB. Does it return huge values?"
    words = answer.get("last_words") or ""
    return (f"The checker's process ended ({answer.get('status')}) while running your code. Does it call "
            f"os._exit(), or crash Python (running out of memory, say)?" + (f" Its last words: {words}" if words
                                                                            else ""))


def _check(job, timeout, zygote, judge):
    report = Report(job)
    started = time.monotonic()
    if job.path is None:  # not handed in: count its checks, run nothing
        report.checks = list(judge.run({"describe": job.exercise}, timeout).get("checks", []))
        report.problem = f"{MISSING}: there is no {job.exercise}.py in {job.student or 'the folder'}."
        return report
    with zygote.turns.shared():
        answer, generation = zygote.run(job, timeout)
    if answer is None:  # the zygote died (did a file kill it?): once more, in a fresh one, alone
        zygote.restart(generation)
        with zygote.turns.alone():
            answer, _ = zygote.run(job, timeout)
    if answer is None:
        report.problem = ("The checker's process ended while running your code. Does it kill other processes "
                          "or exhaust the machine's memory?")
        report.seconds = time.monotonic() - started
        return report
    verdict = judge.run({"exercise": job.exercise, "path": job.path, "messages": answer["messages"]}, timeout)
    report.checks = list(verdict.get("checks", []))
    if "tampered" in verdict:
        report.problem = f"{TAMPERED}: {verdict['tampered']}. No check counts as passed."
    elif "error" in verdict:
        report.problem = "The checker itself failed (please tell your teacher): " + verdict["error"]
    else:
        report.results = [Result(**result) for result in verdict["results"]]
        if len(report.results) < len(report.checks):
            report.problem = _problem(answer, timeout, len(report.results))
    report.seconds = time.monotonic() - started
    return report


class Checker:
    """The zygote and the judge, started once, to grade several batches of jobs (`with Checker() as checker`)."""

    def __init__(self):
        self.zygote, self.judge = Zygote(), Judge()  # both import TensorFlow at the same time
        try:
            self.zygote.start()
            self.judge.start()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stop both helper processes."""
        self.zygote.stop()
        self.judge.helper.stop()

    def grade(self, jobs, timeout=DEFAULT_TIMEOUT, workers=1, on_result=None, on_report=None):
        """Check every job, up to `workers` files at once; return the Reports in the jobs' order (see `grade`)."""
        timeout = check_timeout(timeout)
        jobs = list(jobs)
        reports = [None] * len(jobs)
        lock = threading.Lock()
        todo = queue.Queue()
        for index in range(len(jobs)):
            todo.put(index)
        failures = []

        def work():
            try:
                while True:
                    try:
                        index = todo.get_nowait()
                    except queue.Empty:
                        return
                    report = reports[index] = _check(jobs[index], timeout, self.zygote, self.judge)
                    with lock:
                        for result in report.results:
                            if on_result:
                                on_result(report, result)
                        if on_report:
                            on_report(report)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return reports


def grade(jobs, timeout=DEFAULT_TIMEOUT, workers=1, on_result=None, on_report=None):
    """Check every job, up to `workers` files at once; return the Reports in the jobs' order.

    `on_result(report, result)` is called for each check's verdict and `on_report(report)`
    as each job is done (from worker threads, one call at a time).
    """
    timeout = check_timeout(timeout)
    jobs = list(jobs)
    if not jobs:
        return []
    with Checker() as checker:
        return checker.grade(jobs, timeout, workers, on_result, on_report)
