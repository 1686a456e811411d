"""The grader's parts that need no sandbox: frames, reading submissions, output, what a sandbox shows, its shape.

These run in milliseconds: the frame format's limits, `files.read_submission` on links, FIFOs,
hard links and big or undecodable files, the neutralising of student text in tables, CSV and
JSON, the binds each sandbox gets, and the engine's own rules (module size, no import circles,
nothing from `lessons` in the student's sandbox).
"""
import ast
import csv
import io
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from lessons.exercises.grader import files, reports, sandbox
from lessons.exercises.grader.box import wire
from lessons.exercises.grader.checks import Result
from lessons.exercises.grader.files import Job, Unreadable, read_submission

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "lessons" / "exercises" / "grader"


# --- frames and values ------------------------------------------------------------------------

def test_a_frame_longer_than_the_limit_is_refused_before_it_is_read():
    frames = wire.Frames(limit=1000)
    with pytest.raises(wire.Malformed, match="more than"):
        frames.feed(struct.pack(">I", 1001) + b"x" * 10)
    assert not frames.ready


@pytest.mark.parametrize("body, why", [(b"[" * 100_000 + b"]" * 100_000, "deep"), (b"\xff\xfe", "UTF-8"),
                                       (b"{not json", "not JSON"), (b"[1, 2]", "not a JSON object"),
                                       (b'{"a": ' + b"[" * 50 + b"]" * 50 + b"}", "deeper")])
def test_a_malformed_frame_is_refused_with_its_reason(body, why):
    with pytest.raises(wire.Malformed, match=why):
        wire.parse(body)


def test_values_travel_as_plain_data_and_come_back_as_builtins():
    class Sneaky(str):
        def __eq__(self, other):
            return True
    value = {"a": [1, 2.5, float("nan"), None, True], (1, 2): np.arange(6, dtype=np.float32).reshape(2, 3),
             "s": Sneaky("text"), "f": len, "scalar": np.float64(3.0)}
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    assert type(back["s"]) is str and back["s"] == "text" and back["s"] != "other"
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2])
    assert back[(1, 2)].shape == (2, 3) and back[(1, 2)].dtype == np.float32
    assert isinstance(back["f"], wire.Opaque) and back["scalar"] == 3.0 and np.ndim(back["scalar"]) == 0


def test_an_encoder_stops_at_a_bounded_depth_and_size():
    deep = []
    for _ in range(10_000):
        deep = [deep]
    encoded = json.dumps(wire.encode(deep))
    assert "deeply nested value" in encoded and len(encoded) < 2000
    wide = [list(range(1000))] * 5000
    with pytest.raises(wire.TooBig):
        wire.encode(wide)


@pytest.mark.parametrize("bad", [{"t": "np", "dtype": "|O", "shape": [1], "data": ""},
                                 {"t": "np", "dtype": "<f4", "shape": [3], "data": "AAAAAA=="},
                                 {"t": "np", "dtype": "<f4", "shape": [-1], "data": ""},
                                 {"t": "list", "v": 3}, {"t": "nonsense"}, [1, 2]])
def test_a_malformed_value_is_refused(bad):
    with pytest.raises(wire.Malformed):
        wire.decode(bad)


# --- reading submissions ------------------------------------------------------------------------

def job(folder, *parts):
    return Job("multiply_add", str(folder), tuple(parts), "ann")


def test_a_plain_file_is_read(tmp_path):
    (tmp_path / "multiply_add.py").write_text("x = 1\n", encoding="utf-8")
    assert read_submission(job(tmp_path, "multiply_add.py")) == "x = 1\n"


@pytest.mark.parametrize("target", ["/etc/shadow", "/dev/zero", "/etc/hostname"])
def test_a_symbolic_link_is_never_followed(tmp_path, target):
    (tmp_path / "multiply_add.py").symlink_to(target)
    with pytest.raises(Unreadable, match="symbolic link") as refused:
        read_submission(job(tmp_path, "multiply_add.py"))
    assert target not in str(refused.value)


def test_a_student_folder_that_is_a_link_is_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "multiply_add.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "ann").symlink_to(tmp_path / "real")
    with pytest.raises(Unreadable, match="symbolic link"):
        read_submission(job(tmp_path, "ann", "multiply_add.py"))
    students, _, links = files.class_folder(str(tmp_path))
    assert students == ["real"] and links == ["ann"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "multiply_add.py")
    with pytest.raises(Unreadable, match="not a regular file"):
        read_submission(job(tmp_path, "multiply_add.py"))


def test_a_hard_link_is_refused(tmp_path):
    (tmp_path / "someone_elses.py").write_text("SECRET = 1\n", encoding="utf-8")
    os.link(tmp_path / "someone_elses.py", tmp_path / "multiply_add.py")
    with pytest.raises(Unreadable, match="hard link"):
        read_submission(job(tmp_path, "multiply_add.py"))


def test_a_huge_or_undecodable_file_is_refused(tmp_path):
    (tmp_path / "big.py").write_bytes(b"#" * (files.MAX_BYTES + 1))
    (tmp_path / "latin.py").write_bytes("café = 1\n".encode("latin-1"))
    with pytest.raises(Unreadable, match="larger than"):
        read_submission(job(tmp_path, "big.py"))
    with pytest.raises(Unreadable, match="not UTF-8"):
        read_submission(job(tmp_path, "latin.py"))


def test_a_folder_name_that_is_not_utf8_is_kept_and_shown_escaped(tmp_path):
    odd = os.fsdecode(b"ann\xff")
    (tmp_path / odd).mkdir()
    (tmp_path / odd / "multiply_add.py").write_text("x = 1\n", encoding="utf-8")
    students, _, _ = files.class_folder(str(tmp_path))
    assert students == [odd] and files.shown(odd) == "ann\\xff"
    assert read_submission(job(tmp_path, odd, "multiply_add.py")) == "x = 1\n"


# --- output -----------------------------------------------------------------------------------

def report(student, status_problem=None, hint=""):
    found = reports.Report(Job("multiply_add", "/x", ("multiply_add.py",), student))
    found.checks = ["one", "two"]
    found.results = [Result("one", True), Result("two", False, hint)]
    found.problem = status_problem
    return found


def test_clean_drops_escapes_controls_and_bidi_and_escapes_what_is_not_utf8():
    text = "\x1b[2K\r\x1b[1A3/3\x1b]0;title\x07 \x9b2J ok\u202e\x00 " + os.fsdecode(b"\xff")
    assert reports.clean(text) == " 3/3  ok \\udcff"
    assert reports.clean("a\nb", newlines=True) == "a\nb" and reports.clean("a\nb") == "a b"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell):
    assert str(reports.csv_cell(cell)).startswith("'")
    assert reports.csv_cell(3) == 3 and reports.csv_cell("plain") == "plain"


def test_csv_and_json_of_odd_names_and_hints_are_safe():
    odd = [report('=HYPERLINK("x","3/3")', hint="=cmd|' /C calc'!A0"), report(os.fsdecode(b"\xfe\xff")),
           report("bob", hint="\x1b[32m3/3\x1b[0m")]
    rows = list(csv.reader(io.StringIO(reports.csv_text(odd))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert ["\\xfe\\xff", "multiply_add", "failed", "1", "2", ""] in rows
    text = json.dumps(reports.json_data(odd, [(os.fsdecode(b"/x/\xff.py"), "not an exercise's name")]),
                      ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates left
    assert "\x1b" not in text and "\\\\xff.py" in text


def test_gradescope_counts_a_stopped_file_as_failed_and_says_how_it_graded():
    stopped = report("submission", "Stopped after the time limit of 5 s.")
    stopped.results = stopped.results[:1]
    data = reports.gradescope_data([stopped], "Graded without bubblewrap.")
    assert [test["score"] for test in data["tests"]] == [1.0, 0.0]
    assert data["tests"][1]["output"] == "Stopped after the time limit of 5 s."
    assert data["output"] == "1 of 2 checks passed. Graded without bubblewrap."


# --- what each sandbox shows --------------------------------------------------------------------

def test_the_students_sandbox_shows_python_tfgraph_and_the_box_only():
    places = dict((place, source) for source, place in sandbox.binds("student"))
    shown = set(places.values())
    assert str(GRADER / "box") in shown and str(ROOT / "tfgraph") in shown
    assert not any(Path(source) in (ROOT, ROOT / "lessons") or "checkers" in source or "solutions" in source
                   for source in shown)
    assert all(not str(source).startswith(str(ROOT / "lessons")) or source == str(GRADER / "box")
               for source in shown)


def test_the_judges_sandbox_hides_solutions_and_student_files():
    argv = sandbox.bwrap_argv("bwrap", "judge", {}, ["python"], 1 << 20)
    for hidden in ("solutions", "student"):
        at = argv.index(f"{sandbox.SOURCE}/lessons/exercises/{hidden}")
        assert argv[at - 1] == "--tmpfs"
    assert "--unshare-all" in argv and "--die-with-parent" in argv and "--clearenv" in argv
    assert argv[argv.index("--uid") + 1] == "1000" and argv[-1] == "python"
    assert argv[argv.index("--tmpfs", argv.index("--size")) - 1] == str(1 << 20)


def test_python_folders_never_include_the_checkout():
    assert all(not str(ROOT).startswith(folder) and not folder.startswith(str(ROOT))
               for folder in sandbox.python_folders())


# --- the engine's shape -------------------------------------------------------------------------

def engine_modules():
    return sorted((GRADER).rglob("*.py"))


def imports_of(path):
    """The `lessons...` modules (and relative box modules) a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level and path.parent.name == "box":
            found |= {f"lessons.exercises.grader.box.{alias.name}" for alias in node.names} if not node.module \
                else {f"lessons.exercises.grader.box.{node.module}"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lessons"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("lessons")}
    return found


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_every_engine_module_fits_in_400_lines():
    long = {module_name(path): n for path in engine_modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


def test_the_engine_has_no_import_circle():
    graph = {module_name(path): {name for name in imports_of(path) if name.startswith("lessons.exercises.grader")}
             for path in engine_modules()}

    def reaches(start, target, seen=()):
        return any(step == target or (step not in seen and reaches(step, target, seen + (step,)))
                   for step in graph.get(start, ()))
    assert not [name for name in graph if reaches(name, name)]


def test_the_students_sandbox_code_imports_nothing_from_lessons():
    for path in sorted((GRADER / "box").glob("*.py")):
        assert all(name.startswith("lessons.exercises.grader.box") for name in imports_of(path)), path


def test_an_installed_copy_of_lessons_is_covered_in_the_sandboxes(tmp_path, monkeypatch):
    """pip install (not -e) puts lessons/ in site-packages, which the sandboxes show: it is covered there."""
    site_packages = tmp_path / "site-packages"
    (site_packages / "lessons" / "exercises").mkdir(parents=True)
    monkeypatch.setattr(sandbox, "CHECKOUT", site_packages)
    monkeypatch.setattr(sandbox, "python_folders", lambda: [str(site_packages)])
    assert sandbox.hidden("student") == [str(site_packages / "lessons")]
    assert f"{site_packages}/lessons/exercises/solutions" in sandbox.hidden("judge")
    argv = sandbox.bwrap_argv("bwrap", "student", {}, ["python"], 1 << 20)
    assert argv[argv.index(str(site_packages / "lessons")) - 1] == "--tmpfs"


# --- what the docs promise --------------------------------------------------------------------

DOCS = (ROOT / "docs" / "teachers.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "docker" / "grader" / "Dockerfile").read_text(encoding="utf-8")


def docker_commands(text):
    """The `docker ...` commands of a text, continuation lines joined, comment marks dropped."""
    lines = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    joined = " ".join(line[:-1].strip() if line.endswith("\\") else line + "\n" for line in lines)
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("docker ")]


def test_the_container_recipe_installs_bubblewrap_and_grades_as_an_ordinary_user():
    instructions = [line.split(None, 1) for line in DOCKERFILE.splitlines() if line and not line.startswith(("#", " "))]
    kinds = [kind for kind, *_ in instructions]
    run = " ".join(line for line in DOCKERFILE.splitlines() if "apt-get install" in line)
    assert kinds[0] == "FROM" and "bubblewrap" in run
    user = next(value for kind, value in instructions if kind == "USER")
    assert user.split(":")[0] not in ("0", "root")
    assert json.loads(next(value for kind, value in instructions if kind == "ENTRYPOINT")) == \
        ["python", "-m", "lessons.exercises"]
    assert {"tfgraph", "lessons"} <= {value.split()[0] for kind, value in instructions if kind == "COPY"}


def test_the_docs_container_commands_are_the_recipes_and_have_no_network():
    from lessons.exercises.grader.cli import parse_args
    documented, recipe = docker_commands(DOCS), docker_commands(DOCKERFILE)
    assert documented == recipe and len(documented) == 2
    build, run = (command.split() for command in documented)
    image = build[build.index("-t") + 1]
    assert build[build.index("-f") + 1] == "docker/grader/Dockerfile"
    assert "--network" in run and run[run.index("--network") + 1] == "none" and image in run
    args = parse_args(run[run.index(image) + 1:])
    assert args.command == "check" and args.all == "/class" and args.csv.startswith("/grades/")


def test_the_documented_autograder_setups_install_bubblewrap():
    setup = DOCS.split("`setup.sh`", 1)[1].split("```", 2)[1]
    workflow = DOCS.split("```yaml", 1)[1].split("```", 1)[0]
    assert "bubblewrap" in setup and "apt-get install -y bubblewrap" in workflow


def test_the_documented_limits_are_the_ones_set():
    from lessons.exercises.grader.runner import DEFAULT_TIMEOUT
    from lessons.exercises.grader.runtime import LIMITS
    assert f"memory ({LIMITS['memory'] // 2 ** 30} GB beyond" in DOCS
    assert f"processes ({LIMITS['processes']})" in DOCS and f"file size ({LIMITS['file_size'] // 2 ** 20} MB)" in DOCS
    assert f"may run for {DEFAULT_TIMEOUT:g} seconds" in DOCS
    assert f"a file over {files.MAX_BYTES // 2 ** 20} MB" in DOCS
    assert f"uid {sandbox.STUDENT_ID}, the judges' as {sandbox.JUDGE_ID}" in " ".join(DOCS.split())
