"""The judge's side of a check: replay each check from what the student's process recorded, and decide.

The judge is a process that never imports a student's file. It runs the checker's
own code, as it is on disk, and wherever a check asks the student's code for something
it takes the answer from the record: plain values rebuilt, graphs imported and run
here. A record that does not answer what the checker asks, in the order it asks,
means the checker in the student's process was changed: `Tampered`.
"""
from lessons.exercises.checks import CheckFailed, Result, Submission, checks_for, describe_exception
from lessons.exercises.evidence import StudentRaised, Tampered, decode, host_graphs, rebuild_exception, signature

TAMPERED = "The checker was tampered with"


class ReplaySubmission(Submission):
    """A Submission that answers from one check's recorded entries, in order."""

    def __init__(self, path):
        super().__init__(path)
        self.entries, self.position = [], 0

    def _next(self, kind, **expected):
        if self.position >= len(self.entries):
            raise Tampered(f"the record ends where the checker asks for a {kind} {expected}")
        entry = self.entries[self.position]
        self.position += 1
        if not isinstance(entry, dict) or entry.get("kind") != kind or any(
                entry.get(key) != value for key, value in expected.items()):
            found = {key: entry.get(key) for key in ("kind", "name", "args", "key")} if isinstance(entry, dict) \
                else entry
            raise Tampered(f"the checker asks for a {kind} {expected}, the record holds {found}"[:600])
        if "raise" in entry:
            raise rebuild_exception(entry["raise"] if isinstance(entry["raise"], dict) else {})
        return entry

    def _has_function(self, name):
        return self._next("function", name=name).get("callable") is True

    def _call(self, name, args, kwargs):
        entry = self._next("call", name=name, args=signature(args, kwargs))
        return decode(entry.get("value"), host_graphs(args, kwargs))

    def _constant(self, name):
        entry = self._next("constant", name=name)
        return entry.get("present") is True, decode(entry.get("value"))

    def _observed(self, key, compute):
        return decode(self._next("observed", key=repr(key)).get("value"))


def segments(messages):
    """{check index: its entries} for the checks the student's process finished, and a load failure if any."""
    found, current, entries = {}, None, []
    for message in messages:
        if not isinstance(message, dict):
            raise Tampered("a record line that is not a message")
        if "load_failed" in message:
            return {}, str(message["load_failed"])
        if "begin" in message:
            current, entries = message["begin"], []
        elif "end" in message:
            if message["end"] != current:
                raise Tampered("a check's record that ends where it did not begin")
            found[current] = entries
            current = None
        elif current is not None:
            entries.append(message)
        else:
            raise Tampered("a record line outside any check")
    return found, None


def judge(exercise, path, messages):
    """(descriptions, results) for the checks of `exercise` that the record covers; Tampered if it cannot be true."""
    found = checks_for(exercise)
    descriptions = [one.description for one in found]
    finished, load_failed = segments(messages)
    if load_failed is not None:
        return descriptions, [Result(description, False, load_failed) for description in descriptions]
    submission = ReplaySubmission(path)
    results = []
    for index, one in enumerate(found):
        if index not in finished:
            break
        submission.entries, submission.position = finished[index], 0
        try:
            one.function(submission)
        except Tampered:
            raise
        except CheckFailed as failure:
            results.append(Result(one.description, False, str(failure)))
        except StudentRaised as error:
            results.append(Result(one.description, False, str(error)))
        except Exception as error:  # a rebuilt student exception, or the student's graph failing here
            described = getattr(error, "described", None) or describe_exception(error, path)
            results.append(Result(one.description, False, described))
        else:
            results.append(Result(one.description, True))
    return descriptions, results
