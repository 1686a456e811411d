"""The tools around `check`: Gradescope, GitHub Classroom, start/status, --exercises, and grading without bubblewrap.

The commands run in this process on the session's Grader (`cli_on`), except where a test is
about how the grader starts: without bubblewrap (refusals, one's own file, Gradescope's
fallback) and with a fork server that cannot start.
"""
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

import lessons.exercises.grader.classroom as classroom
import lessons.exercises.grader.cli as cli
from lessons.exercises import EXERCISES, solution_file, student_file
from lessons.exercises.grader import sandbox
from lessons.exercises.grader.files import Job, one_file
from lessons.exercises.grader.runner import grade
from lessons.exercises.grader.runtime import WorkerFailed

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parents[1]
MISTAKES = ROOT / "tests" / "exercise_mistakes"


def submission(folder, files):
    """Write {name: source path} as folder/<name>.py; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        shutil.copyfile(source, folder / f"{name}.py")
    return folder


@pytest.fixture
def no_bwrap(monkeypatch):
    """Act as if bubblewrap were not installed (the documented TFGRAPH_BWRAP=none)."""
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, "none")
    monkeypatch.setattr(sandbox, "_probed", {})


def test_gradescope_results_json_scores_each_check(cli_on, tmp_path, capsys):
    folder = submission(tmp_path / "submission", {"multiply_add": solution_file("multiply_add"),
                                                  "walk_the_graph": MISTAKES / "walk_the_graph__direct_inputs.py"})
    results = tmp_path / "results" / "results.json"
    assert cli_on(["gradescope", str(folder), str(results),
                   "--exercises", "multiply_add,walk_the_graph,variable_counter"]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    tests = data["tests"]
    assert len(tests) == 9 and all(test["max_score"] == 1.0 for test in tests)
    assert data["score"] == sum(test["score"] for test in tests) == 3.0
    assert [test["score"] for test in tests[:3]] == [1.0, 1.0, 1.0]  # multiply_add: the solution
    assert tests[3]["score"] == 0.0 and "Walk on past the direct inputs" in tests[3]["output"]
    assert all(test["score"] == 0.0 and "Not handed in" in test["output"] for test in tests[6:])
    assert all(test["name"].startswith(("multiply_add: ", "walk_the_graph: ", "variable_counter: ")) for test in tests)
    assert "checks passed" in capsys.readouterr().out


def test_exercises_limits_what_gradescope_grades(cli_on, tmp_path):
    """Files beside the assigned ones add nothing: they are listed as not graded."""
    folder = submission(tmp_path / "submission", {"multiply_add": student_file("multiply_add"),
                                                  "walk_the_graph": solution_file("walk_the_graph"),
                                                  "variable_counter": solution_file("variable_counter")})
    results = tmp_path / "results.json"
    assert cli_on(["gradescope", str(folder), str(results), "--exercises", "multiply_add"]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 0.0 and len(data["tests"]) == 3
    assert "Not graded: variable_counter.py, walk_the_graph.py" in data["output"]


def test_exercises_limits_what_check_all_grades(cli_on, tmp_path, capsys):
    """A student whose assigned file scores 0/3 totals 0/3, whatever else is in the folder."""
    submission(tmp_path / "class" / "ann", {"multiply_add": student_file("multiply_add"),
                                            "walk_the_graph": solution_file("walk_the_graph"),
                                            "variable_counter": solution_file("variable_counter")})
    csv_path = tmp_path / "grades.csv"
    assert cli_on(["check", "--all", str(tmp_path / "class"), "--exercises", "multiply_add",
                   "--csv", str(csv_path)]) == 1
    out = capsys.readouterr().out
    assert "Totals: ann 0/3" in out
    assert "walk_the_graph.py: not among the --exercises graded" in out
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:5] for line in lines[1:]] == [["ann", "multiply_add", "failed", "0", "3"],
                                                           ["ann", "(total)", "", "0", "3"]]


def test_grade_files_follow_the_umask(cli_on, tmp_path):
    submission(tmp_path / "class" / "ann", {"multiply_add": solution_file("multiply_add")})
    previous = os.umask(0o027)
    try:
        assert cli_on(["check", "--all", str(tmp_path / "class"), "--csv", str(tmp_path / "g.csv"),
                       "--json", str(tmp_path / "g.json")]) == 0
    finally:
        os.umask(previous)
    assert (tmp_path / "g.csv").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "g.json").stat().st_mode & 0o777 == 0o640


def test_github_classroom_commands_in_the_docs_grade_a_repository(cli_on, tmp_path, monkeypatch, capsys):
    """Run each `command:` line of the docs' autograding setup in a student's repository: exit status 0 or 1."""
    docs = (ROOT / "docs" / "teachers.md").read_text(encoding="utf-8")
    commands = re.findall(r"(?:run|command): python -m lessons\.exercises (check \S+ \S+)", docs)
    assert len(commands) >= 2, "docs/teachers.md shows no autograding commands"
    repository = submission(tmp_path / "repo", {"multiply_add": solution_file("multiply_add"),
                                                "walk_the_graph": MISTAKES / "walk_the_graph__direct_inputs.py"})
    monkeypatch.chdir(repository)
    statuses = {command.split()[1]: cli_on(command.split()) for command in commands}
    assert statuses["multiply_add"] == 0 and statuses["walk_the_graph"] == 1, statuses
    assert "3 of 3 checks passed. Well done!" in capsys.readouterr().out


def test_start_copies_a_fresh_file_and_never_overwrites(cli_on, tmp_path, capsys):
    assert cli_on(["start", "multiply_add", str(tmp_path)]) == 0
    assert (tmp_path / "multiply_add.py").read_bytes() == student_file("multiply_add").read_bytes()
    (tmp_path / "multiply_add.py").write_text("# my work\n", encoding="utf-8")
    assert cli_on(["start", "multiply_add", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "multiply_add.py").read_text(encoding="utf-8") == "# my work\n"
    assert cli_on(["start", "multiply_ad", str(tmp_path)]) == 2
    assert "Did you mean multiply_add" in capsys.readouterr().err


def test_status_shows_pass_fail_and_not_started_and_exits_1_on_a_fail(cli_on, tmp_path, capsys):
    submission(tmp_path, {"multiply_add": student_file("multiply_add"),
                          "walk_the_graph": solution_file("walk_the_graph")})
    assert cli_on(["status", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "fail  0/3  Not done yet" in lines["multiply_add"]
    assert lines["walk_the_graph"].split()[1:] == ["pass"]
    assert lines["variable_counter"].split()[1:] == ["not", "started"]
    assert f"1 of {len(EXERCISES)} exercises pass; {len(EXERCISES) - 2} not started." in out
    (tmp_path / "multiply_add.py").unlink()
    assert cli_on(["status", str(tmp_path)]) == 0


def test_an_endless_time_limit_is_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", "multiply_add", "--timeout", "inf"])
    assert stopped.value.code == 2 and "must be a finite number of seconds" in capsys.readouterr().err


def test_each_file_gets_a_judge_of_its_own(grader):
    """A fresh judge (its own process, its own graphs and Sessions) for every file, never one shared."""
    jobs = [Job(name, *one_file(solution_file(name)), str(index)) for index, name in
            enumerate(["multiply_add", "walk_the_graph", "multiply_add", "variable_counter", "multiply_add"])]
    found = grader.grade(jobs, timeout=60, workers=2)
    judges = [report.judge for report in found]
    assert all(report.ok for report in found)
    assert None not in judges and len(set(judges)) == len(judges)
    assert not set(judges) & set(grader.sandboxes())


# --- without bubblewrap --------------------------------------------------------------------

def test_grading_a_class_without_bubblewrap_is_refused_with_a_way_out(no_bwrap, tmp_path, capsys):
    submission(tmp_path / "class" / "ann", {"multiply_add": solution_file("multiply_add")})
    assert cli.main(["check", "--all", str(tmp_path / "class")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "needs a sandbox, and bubblewrap is turned off" in err
    assert "sudo apt-get install bubblewrap" in err and "container" in err and "--no-sandbox" in err


def test_status_of_a_folder_that_is_not_yours_is_refused_without_bubblewrap(no_bwrap, tmp_path, capsys):
    folder = submission(tmp_path / "theirs", {"multiply_add": solution_file("multiply_add")})
    if os.geteuid() == 0:
        for path in (folder, folder / "multiply_add.py"):
            os.chown(path, sandbox.STUDENT_ID, sandbox.STUDENT_ID)
    else:
        folder = Path("/")  # a folder an ordinary user does not own
    assert cli.main(["status", str(folder)]) == 2
    assert "which is not yours, needs a sandbox" in " ".join(capsys.readouterr().err.split())


def test_no_sandbox_grades_anyway_and_says_what_it_gives_up(no_bwrap, tmp_path, monkeypatch, capsys):
    modes = []
    monkeypatch.setattr(classroom, "grade", lambda jobs, mode=None, **kwargs: modes.append(mode) or [])
    submission(tmp_path / "class" / "ann", {"multiply_add": solution_file("multiply_add")})
    cli.main(["check", "--all", str(tmp_path / "class"), "--no-sandbox"])
    err = " ".join(capsys.readouterr().err.split())
    assert modes == [sandbox.NONE]
    assert "--no-sandbox: the students' code runs as you" in err and "your grades" in err


@pytest.mark.slow
def test_your_own_file_is_checked_without_bubblewrap(no_bwrap, tmp_path, capsys):
    """As today: one's own file, in processes of the caller's own, still judged apart."""
    mine = submission(tmp_path, {"multiply_add": solution_file("multiply_add")}) / "multiply_add.py"
    assert cli.main(["check", "multiply_add", str(mine)]) == 0
    assert "3 of 3 checks passed. Well done!" in capsys.readouterr().out


@pytest.mark.slow
def test_gradescope_without_bubblewrap_says_how_it_graded(no_bwrap, tmp_path):
    folder = submission(tmp_path / "submission", {"multiply_add": solution_file("multiply_add")})
    results = tmp_path / "results.json"
    assert cli.main(["gradescope", str(folder), str(results)]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 3.0
    if os.geteuid() == 0:
        assert f"as the unprivileged user {sandbox.STUDENT_ID}, apart from the judge" in data["output"]
    else:
        assert "Graded without a sandbox (bubblewrap is turned off" in data["output"]


def test_a_fork_server_that_cannot_start_gives_its_real_reason(monkeypatch):
    def broken(role, mode, control_fd, exercises):
        return [sys.executable, "-c", "raise ImportError('TensorFlow is broken on purpose')"], "/"
    monkeypatch.setattr(sandbox, "zygote_command", broken)
    with pytest.raises(WorkerFailed, match="ImportError: TensorFlow is broken on purpose"):
        grade([Job("multiply_add", *one_file(solution_file("multiply_add")))], timeout=30, mode=sandbox.NONE)


def uid_of(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return int(status.read().split("Uid:")[1].split()[0])


def test_no_sandboxed_process_runs_as_root(grader):
    """As root, students run as uid 65534 and judges as 65533; as a user, as that user (in namespaces)."""
    pair = grader.pair(10.0)
    try:
        children = [uid_of(pair.student.pid), uid_of(pair.judge.pid)]
    finally:
        pair.close()
    servers = [uid_of(pid) for pid in grader.sandboxes()]
    if os.geteuid() == 0:
        assert children == [sandbox.STUDENT_ID, sandbox.JUDGE_ID] and servers == children
    else:
        assert children == servers == [os.geteuid()] * 2


def test_each_files_cgroups_are_removed_after_it(grader):
    """As root the grader puts each process in a cgroup of its own, and removes it once the file is done."""
    jobs = [Job("multiply_add", *one_file(solution_file("multiply_add")), "ann"),
            Job("multiply_add", *one_file(student_file("multiply_add")), "bob")]
    assert [report.status for report in grader.grade(jobs, timeout=60)] == ["passed", "failed"]
    parents = [path for _, path in grader.cgroups.parents]  # none where the grader may not make cgroups
    left = [entry.path for parent in parents for entry in os.scandir(parent) if entry.is_dir()]
    assert set(left) <= set(grader.cgroups.pending), left
