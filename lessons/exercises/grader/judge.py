"""The judge's side: run one exercise's checks against one student's sandbox, and send each verdict.

The judge's fork server (`box.zygote` with this module as its role) imports TensorFlow and
the checkers, and computes the reference values the checks need (`checks.reference`)
in a forked helper, once. Each submission then gets a judge forked from it, in
namespaces of its own: it has never seen another submission, and nothing it does
outlives the submission. It never loads the student's file; it asks the student's
sandbox, through the grader, for what each check needs (`remote`, `submission`).

Frames the judge sends the grader: `{"checks": [...]}` (the descriptions), then
`{"student": request}` whenever it asks the student's sandbox (the grader forwards it and
the reply), `{"result": {...}}` after each check, and `{"done": true}` at the end, or
`{"stopped": why}` / `{"error": why}` when it cannot go on.
"""
import json
import os
import traceback

from lessons.exercises import EXERCISES
from lessons.exercises.grader.box import wire
from lessons.exercises.grader.checks import CheckFailed, checks_for, references_for
from lessons.exercises.grader.remote import Stopped, Student, StudentRaised
from lessons.exercises.grader.submission import Submission


def _precompute(references):
    """Run every reference computation in a forked helper (its Sessions' threads die with it); keep the values."""
    if not references:
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            data = json.dumps({one.name: one.compute_all() for one in references}).encode()
            with os.fdopen(write, "wb") as out:
                out.write(data)
            code = 0
        except BaseException:  # noqa: B036 - the helper must end here
            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        raise RuntimeError("computing the checkers' reference values failed (see above)")
    values = json.loads(data)
    for one in references:
        one.values.update(values[one.name])


def warm_up(options):
    """Import TensorFlow and the checkers of the run's exercises; compute their references; say what each checks."""
    import tensorflow as tf

    from lessons.exercises.checkers import mnist_sample
    described = {exercise.name: [one.description for one in checks_for(exercise.name)] for exercise in EXERCISES}
    names = options.get("exercises") or list(described)
    mnist_sample()  # NumPy arrays only: no TensorFlow thread exists before a fork
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.placeholder(tf.float32, name="x") * tf.Variable(1.0)
        tf.compat.v1.train.export_meta_graph(graph=graph)
    _precompute([one for name in names for one in references_for(name)])
    return {"checks": described}


def _verdict(check, submission):
    """Run one check: (passed, hint)."""
    try:
        check.function(submission)
    except CheckFailed as failure:
        return False, str(failure)
    except StudentRaised as raised:
        return False, raised.described
    return True, ""


def judge(channel, job, student):
    """Run `job`'s checks against the student's sandbox, sending each verdict on `channel`."""
    checks = checks_for(job["exercise"])
    wire.send(channel, {"checks": [one.description for one in checks]})
    try:
        loaded = student.ask({"op": "load"})
    except StudentRaised as raised:
        loaded = {"load_failed": raised.described}
    if "load_failed" in loaded:
        for one in checks:
            wire.send(channel, {"result": {"description": one.description, "passed": False,
                                           "hint": str(loaded["load_failed"])[:4000]}})
        return
    submission = Submission(student, job.get("file", ""))
    for one in checks:
        passed, hint = _verdict(one, submission)
        wire.send(channel, {"result": {"description": one.description, "passed": passed, "hint": hint}})


def serve(channel, request):
    """Read the job from the grader, judge it, say done (or why not)."""
    student = Student(channel)
    job = wire.receive(channel, student.frames)
    if not job or not isinstance(job.get("job"), dict):
        return
    try:
        judge(channel, job["job"], student)
    except Stopped as stopped:
        wire.send(channel, {"stopped": str(stopped)})
        return
    except Exception as error:  # the checker's own bug: say so rather than hang the grader
        wire.send(channel, {"error": f"{type(error).__name__}: {error}"[:2000],
                            "trace": traceback.format_exc()[-4000:]})
        return
    wire.send(channel, {"done": True})
