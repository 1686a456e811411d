"""Grade students' files: each in a sandbox of its own, each verdict decided by a judge in another.

`Grader` starts two fork servers (`sandbox.start_zygote`): the student's side and the
judge's, each in a bubblewrap sandbox, each with TensorFlow imported once. For every file
it asks each for a fresh child (`box.zygote`), then relays between them: the judge asks,
the grader forwards the question to the student's child and its answer back, and the
judge sends a verdict per check. The grader reads the file itself (`files`) and hands its
text to the student's child; it never runs a student's code, never imports TensorFlow,
and keeps of what a student's process writes only a bounded frame and the last lines of
its stderr. The student's code and the judge each have their own time limit, counted only
while it is their turn; a file that overruns, crashes or answers nonsense is stopped alone.
"""
import queue
import select
import threading
import time

from lessons.exercises.grader import runtime
from lessons.exercises.grader.box import wire
from lessons.exercises.grader.checks import Result
from lessons.exercises.grader.files import Unreadable, read_submission, shown
from lessons.exercises.grader.reports import MISSING, Report

#: Seconds one file's code may run, by default (the command line's --timeout).
DEFAULT_TIMEOUT = 60.0


class _TimeUp(Exception):
    """A side used up its time."""


class _Ended(Exception):
    """A side's channel closed."""


def _problem_for_student(error, child, timeout):
    """Why a file's checks stopped, from what went wrong on the student's side."""
    if isinstance(error, _TimeUp):
        return (f"Stopped after the time limit of {timeout:g} s. Does your code loop forever (a while loop whose "
                f"condition never changes, a tf.while_loop that never ends?) or train for far more steps than the "
                f"task asks?")
    if isinstance(error, wire.Malformed):
        return f"Stopped: your code's process sent the checker {error}. Does it return huge values?"
    status = child.status()
    words = child.last_words()
    return (f"The process running your code ended ({status or 'no reason given'}). Does it call os._exit(), "
            f"or crash Python (running out of memory, say)?" + (f" Its last words: {words}" if words else ""))


def _problem_for_judge(error, child):
    words = child.last_words()
    why = "it took longer than its own time limit" if isinstance(error, _TimeUp) else (
        f"its process ended ({child.status() or 'no reason given'})" if isinstance(error, _Ended) else str(error))
    return f"The checker itself failed (please tell your teacher): {why}." + (f" {words}" if words else "")


class _Relay:
    """The exchange between one file's two children: the judge's questions, the student's side's answers."""

    def __init__(self, student, judge):
        self.student, self.judge = student, judge

    def next_frame(self, side, seconds):
        """The next frame body from `side` within `seconds`, draining both stderr pipes meanwhile."""
        deadline = time.monotonic() + seconds
        while not side.frames.ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimeUp()
            errs = [child.err for child in (self.student, self.judge) if child.err is not None]
            readable, _, _ = select.select([side.channel] + errs, [], [], remaining)
            for child in (self.student, self.judge):
                if child.err is not None and child.err in readable:
                    child.drain()
            if side.channel in readable:
                data = side.channel.recv(1 << 20)
                if not data:
                    raise _Ended()
                side.frames.feed(data)
        return side.frames.ready.popleft()

    @staticmethod
    def _forward(child, frame):
        """Send a frame to `child`; False if its channel is closed (the process ended)."""
        try:
            child.channel.sendall(frame)
            return True
        except OSError:
            return False

    def relay(self, report, job, source, timeout, on_result):
        """Run the exchange until the judge is done; return why it stopped early, or None."""
        budget = {"student": timeout, "judge": timeout + runtime.JUDGE_EXTRA}
        if not self._forward(self.judge, wire.pack({"job": {"exercise": job.exercise, "file": shown(job.parts[-1])}})):
            return _problem_for_judge(_Ended(), self.judge)
        turn = "judge"
        while True:
            side = self.student if turn == "student" else self.judge
            started = time.monotonic()
            try:
                body = self.next_frame(side, budget[turn])
            except (_TimeUp, _Ended, wire.Malformed) as error:
                if turn == "student":
                    return _problem_for_student(error, self.student, timeout)
                return _problem_for_judge(error, self.judge)
            finally:
                budget[turn] -= time.monotonic() - started
            if turn == "student":
                if not self._forward(self.judge, wire.pack_body(body)):
                    return _problem_for_judge(_Ended(), self.judge)
                turn = "judge"
                continue
            try:
                message = wire.parse(body)
            except wire.Malformed as error:
                return _problem_for_judge(error, self.judge)
            if "student" in message:
                request = message["student"]
                if request.get("op") == "load":
                    request = {**request, "name": shown(job.parts[-1]), "source": source}
                if not self._forward(self.student, wire.pack(request)):
                    return _problem_for_student(_Ended(), self.student, timeout)
                turn = "student"
            elif "checks" in message:
                report.checks = [str(text) for text in message["checks"]]
            elif "result" in message:
                result = Result(str(message["result"]["description"]), message["result"]["passed"] is True,
                                str(message["result"]["hint"]))
                report.results.append(result)
                if on_result:
                    on_result(report, result)
            elif "done" in message:
                return None
            elif "stopped" in message:
                return str(message["stopped"])
            else:
                return _problem_for_judge(message.get("error", "an unknown message"), self.judge)


def check_job(grader, job, timeout, on_result=None):
    """Check one job; return its Report."""
    report = Report(job)
    started = time.monotonic()
    report.checks = list(grader.descriptions.get(job.exercise, []))
    if job.parts is None:
        report.problem = f"{MISSING}: there is no {job.exercise}.py in {shown(job.student) or 'the folder'}."
        return report
    try:
        source = read_submission(job)
    except Unreadable as why:
        report.problem = f"The grader did not read {shown(job.parts[-1])}: {why}."
        return report
    try:
        pair = grader.pair(timeout)
    except runtime.ChildFailed as failed:
        report.problem = f"The grader could not start a sandbox for this file: {failed}."
        report.seconds = time.monotonic() - started
        return report
    try:
        report.judge = pair.judge.pid
        report.problem = _Relay(pair.student, pair.judge).relay(report, job, source, timeout, on_result)
    finally:
        pair.close()
        report.seconds = time.monotonic() - started
    return report


def check_safely(grader, job, timeout, on_result=None):
    """check_job, except that a failure of the grader's own on one file stops that file, not the run."""
    try:
        return check_job(grader, job, timeout, on_result)
    except (runtime.WorkerFailed, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - one file's trouble must not cost the class its grades
        report = Report(job)
        report.checks = list(grader.descriptions.get(job.exercise, []))
        report.problem = f"The grader failed on this file (please tell your teacher): {type(error).__name__}: {error}"
        return report


class Grader(runtime.Runtime):
    """The two fork servers, started once, grading batches of jobs (`with Grader(mode) as grader`)."""

    def grade(self, jobs, timeout=DEFAULT_TIMEOUT, workers=1, on_result=None, on_report=None):
        """Check every job, up to `workers` files at once; return the Reports in the jobs' order.

        `on_result(report, result)` is called for each check's verdict and `on_report(report)`
        as each job is done (from worker threads, one call at a time).
        """
        jobs = list(jobs)
        reports = [None] * len(jobs)
        todo = queue.Queue()
        for index in range(len(jobs)):
            todo.put(index)
        lock, failures = threading.Lock(), []

        def locked(function):
            def call(*args):
                with lock:
                    function(*args)
            return call if function else None

        def work():
            try:
                while not failures:
                    try:
                        index = todo.get_nowait()
                    except queue.Empty:
                        return
                    reports[index] = check_safely(self, jobs[index], timeout, locked(on_result))
                    if on_report:
                        locked(on_report)(reports[index])
            except BaseException as error:  # noqa: B036 - raised again in the caller's thread
                failures.append(error)

        threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return reports


def grade(jobs, timeout=DEFAULT_TIMEOUT, workers=1, on_result=None, on_report=None, mode=None, exercises=None):
    """Start a Grader for `jobs` (in `mode`, default bubblewrap), check them all, stop it; return the Reports."""
    jobs = list(jobs)
    if not jobs:
        return []
    with Grader(mode, exercises or sorted({job.exercise for job in jobs})) as grader:
        return grader.grade(jobs, timeout, workers, on_result, on_report)
