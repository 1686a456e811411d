"""benchmarks/suite.py: it reads pytest's summary right and writes only its own section of results.md.

The suite itself is not run here (that takes minutes, and suite.py is for a quiet machine):
the parsing and the writing are tested on pytest output recorded from a real run, and one
step runs for real on a small project made in a temporary folder.
"""
import os

import pytest

from benchmarks import sections, suite

START, END = sections.markers(suite.NAME)

#: What `python -m pytest -m "not slow"` printed (setup.cfg's -ra) for a file with a pass, a slow test,
#: three skips at two places, a failure, a fixture error and an expected failure.
FAST_OUTPUT = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.3.4, pluggy-1.5.0
rootdir: /tmp/project
configfile: setup.cfg
collected 8 items / 1 deselected / 7 selected

test_a.py .sssFEx                                                        [100%]

==================================== ERRORS ====================================
__________________________ ERROR at setup of test_err __________________________
E   RuntimeError: fixture broke
=================================== FAILURES ===================================
__________________________________ test_fail ___________________________________
E   AssertionError: one is not two
=========================== short test summary info ============================
SKIPPED [1] test_a.py:5: Chromium is not installed
SKIPPED [2] test_a.py:7: Chromium is not installed
XFAIL test_a.py::test_xf
ERROR test_a.py::test_err - RuntimeError: fixture broke
FAILED test_a.py::test_fail - AssertionError: one is not two
=== 1 failed, 1 passed, 3 skipped, 1 deselected, 1 xfailed, 1 error in 0.68s ===
"""
SLOW_OUTPUT = """\
test_a.py .                                                              [100%]

======================= 1 passed, 7 deselected in 0.62s ========================
"""


def step(passed, skipped, wall, skip_reasons=(), failed=(), deselected=30, status=0, others=0.1):
    """A step's result as run_step gives it."""
    counts = dict.fromkeys(suite.KINDS, 0)
    counts.update(passed=passed, skipped=skipped, failed=len(failed), deselected=deselected)
    return {"counts": counts, "pytest_seconds": wall - 2, "skipped": list(skip_reasons), "failed": list(failed),
            "status": status, "wall": wall, "load": (0.4, 1.2), "others": others}


def table_rows(text):
    """The Markdown table's body rows as lists of cells."""
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def test_parse_reads_counts_skips_and_failures():
    result = suite.parse(FAST_OUTPUT)
    assert result["counts"] == {"passed": 1, "skipped": 3, "failed": 1, "errors": 1, "xfailed": 1, "xpassed": 0,
                                "deselected": 1}
    assert result["pytest_seconds"] == 0.68
    assert result["skipped"] == [(1, "test_a.py:5", "Chromium is not installed"),
                                 (2, "test_a.py:7", "Chromium is not installed")]
    assert result["failed"] == [("ERROR", "test_a.py::test_err"), ("FAILED", "test_a.py::test_fail")]
    slow = suite.parse(SLOW_OUTPUT)
    assert (slow["counts"]["passed"], slow["counts"]["deselected"], slow["skipped"], slow["failed"]) == (1, 7, [], [])


def test_parse_reads_quiet_and_singular_summaries():
    result = suite.parse("..E\n1 error, 2 passed, 1 warning in 3.50s\n")
    assert (result["counts"]["errors"], result["counts"]["passed"], result["pytest_seconds"]) == (1, 2, 3.5)


def test_parse_refuses_output_without_a_summary_and_shows_its_end():
    with pytest.raises(suite.SuiteError) as error:
        suite.parse("collecting ...\nImportError while loading conftest 'tests/conftest.py'.\n")
    assert "ImportError while loading conftest" in str(error.value)


def test_the_section_gives_ranges_where_runs_differ_and_the_reasons_for_skips():
    chromium = (2, "tests/test_tensorboard.py:40", "Chromium is not installed")
    results = {"fast": [step(480, 2, 176, [chromium]), step(480, 2, 190, [chromium]), step(480, 2, 181, [chromium])],
               "slow": [step(24, 0, 60, deselected=482), step(24, 0, 58, deselected=482),
                        step(23, 0, 61, failed=[("FAILED", "tests/test_x.py::test_y")], deselected=482, status=1)]}
    text = "\n".join(suite.section(results, "Some CPU, 2 cores", 3, today="2026-12-01"))
    assert "2026-12-01 by `python benchmarks/suite.py --runs 3` on: Some CPU, 2 cores." in text
    fast, slow, both = table_rows(text)
    assert fast[:7] == ['`python -m pytest -m "not slow"`', "480", "2", "0", "0", "30",
                        "2.9 min - 3.2 min (median 3.0 min)"]
    assert slow[:7] == ["`python -m pytest -m slow`", "23 - 24", "0", "0 - 1", "0", "482", "58 s - 61 s (median 60 s)"]
    assert both[:7] == ["both steps", "503 - 504", "2", "0 - 1", "0", "-", "3.9 min - 4.1 min (median 4.0 min)"]
    assert "- 2 in the fast step (tests/test_tensorboard.py:40): Chromium is not installed" in text
    assert "- FAILED tests/test_x.py::test_y (the slow step, 1 of 3 runs)" in text


def test_the_section_says_when_nothing_was_skipped_or_failed():
    text = "\n".join(suite.section({"fast": [step(10, 0, 20)], "slow": [step(2, 0, 30)]}, "CPU", 1))
    assert "Nothing was skipped." in text and "Nothing failed." in text and "--runs 1" in text


@pytest.fixture
def canned_steps(monkeypatch):
    """run_step and the machine's description replaced by canned answers; the steps asked for, in order."""
    asked = []

    def run_step(expression):
        asked.append(expression)
        return step(480, 0, 170 + len(asked)) if expression == "not slow" else step(24, 0, 50, deselected=480)

    monkeypatch.setattr(suite, "run_step", run_step)
    monkeypatch.setattr(suite.machine, "describe", lambda: "Canned CPU, 2 cores")
    return asked


def test_main_runs_both_steps_in_cis_order_and_rewrites_only_its_section(tmp_path, canned_steps, capsys):
    out = tmp_path / "results.md"
    before = "# Benchmark results\n\n<!-- startup: start -->\nstartup table\n<!-- startup: end -->\n\n"
    after = "\n\n## Later\n\n<!-- grading: start -->\ngrading\n<!-- grading: end -->\n"
    out.write_text(f"{before}{START}\nan older record\n{END}{after}", encoding="utf-8")
    suite.main(["--runs", "2", "--out", str(out)])
    assert canned_steps == ["not slow", "slow", "not slow", "slow"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith(before + START) and text.endswith(END + after) and "an older record" not in text
    assert "on: Canned CPU, 2 cores." in text and "| 2.9 min |" in text
    assert "run 2, python -m pytest -m slow: 24 passed, 480 deselected" in capsys.readouterr().out
    assert sorted(os.listdir(tmp_path)) == ["results.md"]  # written through a temporary file, none left


def test_main_appends_its_section_to_a_file_without_one(tmp_path, canned_steps):
    out = tmp_path / "results.md"
    out.write_text("# Benchmark results\n\nother\n", encoding="utf-8")
    suite.main(["--runs", "1", "--out", str(out)])
    suite.main(["--runs", "1", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nother\n\n" + START) and text.count(START) == 1


def test_main_writes_nothing_with_no_write_or_a_bad_run_count(tmp_path, canned_steps):
    out = tmp_path / "results.md"
    out.write_text("# Benchmark results\n", encoding="utf-8")
    suite.main(["--runs", "1", "--out", str(out), "--no-write"])
    with pytest.raises(SystemExit) as exit_info:
        suite.main(["--runs", "0", "--out", str(out)])
    assert exit_info.value.code == 2
    assert out.read_text(encoding="utf-8") == "# Benchmark results\n"
    assert canned_steps == ["not slow", "slow"]


def test_run_step_reads_a_real_pytest_run(tmp_path):
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\naddopts = -ra\nmarkers =\n    slow: slow\n", encoding="utf-8")
    (tmp_path / "test_small.py").write_text(
        "import pytest\n\ndef test_ok():\n    pass\n\n@pytest.mark.slow\ndef test_slow():\n    pass\n\n"
        "def test_skip():\n    pytest.skip('no Chromium here')\n\ndef test_fail():\n    assert 1 == 2\n",
        encoding="utf-8")
    result = suite.run_step("not slow", cwd=tmp_path)
    counts = result["counts"]
    assert (counts["passed"], counts["skipped"], counts["failed"], counts["deselected"]) == (1, 1, 1, 1)
    assert result["skipped"] == [(1, "test_small.py:11", "no Chromium here")]
    assert result["failed"] == [("FAILED", "test_small.py::test_fail")] and result["status"] == 1
    assert result["wall"] >= result["pytest_seconds"] > 0
