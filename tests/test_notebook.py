"""Every lesson as a notebook: jupytext reads its cells, lessons.notebook writes it, a real kernel runs it."""
import ast
import asyncio
import os
import re
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

import lessons
from lessons import notebook
from tfgraph import quiet
from tests.helpers import run_python

ROOT = Path(__file__).resolve().parents[1]
#: Lessons whose run draws plots under the cell: not multiplication (no plot), nor distributed (its
#: chief is a separate process, which saves the plot as a PNG in the run folder).
PLOTTING = [name for name in lessons.LESSONS if name not in ("multiplication", "distributed")]
#: The kernel imports tfgraph and the lessons from this checkout. MPLBACKEND is dropped so that
#: a CI's headless setting cannot hide what a learner's kernel would draw.
KERNEL_ENV = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
KERNEL_ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
#: Kernels running at once: a kernel spends most of its few seconds importing TensorFlow on one core.
PARALLEL_KERNELS = 2


def execute_all(jobs):
    """Run each (notebook, folder) job's cells top to bottom in a fresh python3 (ipykernel) kernel started
    in its folder, a few at a time; return, per job, None or the error (with the cell and traceback)."""
    async def execute(nb, cwd, slots):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        client = NotebookClient(nb, kernel_name="python3", timeout=300,
                                resources={"metadata": {"path": str(cwd)}})
        async with slots:
            try:
                await client.async_execute(env=KERNEL_ENV)
            except Exception as error:  # noqa: BLE001  (reported by the test of this notebook)
                return error
        return None

    async def execute_jobs():
        slots = asyncio.Semaphore(PARALLEL_KERNELS)
        return await asyncio.gather(*(execute(nb, cwd, slots) for nb, cwd in jobs))

    return asyncio.run(execute_jobs())


def outputs(cell, kind):
    """The text of a code cell's `stdout`/`stderr` streams, or its output data of MIME type `kind`."""
    if kind in ("stdout", "stderr"):
        return "".join(out.text for out in cell.outputs if out.output_type == "stream" and out.name == kind)
    return [out.data[kind] for out in cell.outputs if kind in out.get("data", {})]


def settings(nb):
    """The notebook's settings cell: the first code cell."""
    return next(cell for cell in nb.cells if cell.cell_type == "code")


def set_knob(nb, name, value):
    """Change one `name = ...` line of the settings cell, as a learner would."""
    cell = settings(nb)
    cell.source, count = re.subn(rf"^{name} = .*?(  #|$)", lambda m: f"{name} = {value!r}{m.group(1)}",
                                 cell.source, count=1, flags=re.M)
    assert count == 1, f"no knob {name} in:\n{cell.source}"


def knob_values(nb):
    """The variables the settings cell defines, as the kernel would see them."""
    namespace = {}
    exec(settings(nb).source, namespace)  # noqa: S102  (plain assignments generated from the parser)
    return {key: value for key, value in namespace.items() if not key.startswith("__") and key != "lessons"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every lesson's notebook, written by `python -m lessons.notebook --all --out DIR`, in process."""
    out = tmp_path_factory.mktemp("notebooks")
    notebook.main(["--all", "--out", str(out)])
    return out


#: The one lesson whose notebook runs in a real kernel in the fast suite; the others run with `pytest -m slow`.
REPRESENTATIVE = "fully_connected"


def dry_run_job(written, name, tmp_path_factory):
    """Lesson `name`'s notebook set to a dry run into `<folder>/logs`, as a learner sets it: (notebook, folder)."""
    folder = tmp_path_factory.mktemp(name)
    nb = nbformat.read(written / f"{name}.ipynb", as_version=4)
    set_knob(nb, "dry_run", True)  # what a learner would type in the settings cell
    return nb, folder


def execute_jobs(jobs):
    """Run each {key: (notebook, folder)} job; return {key: (notebook, folder, error or None)}."""
    errors = execute_all(list(jobs.values()))
    return {key: (nb, folder, error) for (key, (nb, folder)), error in zip(jobs.items(), errors)}


@pytest.fixture(scope="module")
def executed_one(written, tmp_path_factory):
    """The representative lesson's notebook, run on the dry-run settings with its default logdir."""
    return execute_jobs({REPRESENTATIVE: dry_run_job(written, REPRESENTATIVE, tmp_path_factory)})


@pytest.fixture(scope="module")
def executed_rest(written, tmp_path_factory):
    """Every other lesson's notebook on the dry-run settings, and one lesson's .py as jupytext opens it, as it is."""
    jobs = {name: dry_run_job(written, name, tmp_path_factory) for name in lessons.LESSONS if name != REPRESENTATIVE}
    jobs["linear_regression.py"] = (jupytext.read(ROOT / "lessons" / "linear_regression.py", fmt="py:percent"),
                                    tmp_path_factory.mktemp("direct"))
    return execute_jobs(jobs)


def ran(executed, key):
    """The executed notebook and its folder; fails with the kernel's error if a cell raised."""
    nb, folder, error = executed[key]
    if error is not None:
        raise error
    return nb, folder


# Lessons open as notebooks directly: jupytext (Jupyter) and VS Code read the same `# %%` cells.

@pytest.mark.parametrize("name", lessons.LESSONS)
def test_jupytext_reads_each_lesson_into_sensible_cells(name):
    cells = jupytext.read(ROOT / "lessons" / f"{name}.py", fmt="py:percent").cells
    assert ast.get_docstring(ast.parse(cells[0].source)), "the header docstring opens the first cell"
    headings = [cell.source.splitlines()[0] for cell in cells if cell.cell_type == "markdown"]
    for section in ("## Setup", "## Build the graph", "## Exercises"):
        assert section in headings
    for number, cell in enumerate(cells):
        if cell.cell_type == "code":  # a marker inside a function would cut it in two
            compile(cell.source, f"{name}.py cell {number}", "exec")
    assert cells[-1].source.startswith('if __name__ == "__main__":')


@pytest.mark.slow
def test_a_lesson_file_runs_as_a_notebook_directly(executed_rest):
    """Opened as it is (jupytext in Jupyter, VS Code's cells): its last cell ignores the kernel's argv."""
    nb, folder = ran(executed_rest, "linear_regression.py")
    last = nb.cells[-1]
    assert "Predicting y = 1.45 x + 1.96" in outputs(last, "stdout")  # the article's settings
    assert len(outputs(last, "image/png")) == 2  # the fit and the cost, under the cell
    assert list((folder / "logs" / "linear_regression").glob("*/train/events.out.tfevents.*"))


def test_a_marker_inside_a_function_does_not_cut_it_in_the_notebook(tmp_path, monkeypatch):
    (tmp_path / "sketch.py").write_text(
        '"""Doc."""\n# %%\ndef main(argv=None):\n    total = 1\n\n    # %% [markdown]\n    # ## Evaluate\n\n'
        '    # %%\n    return total\n\n\n# %%\nif __name__ == "__main__":\n    main()\n')
    monkeypatch.setattr(notebook, "LESSONS_DIR", tmp_path)
    code = [cell.source for cell in notebook.read_cells("sketch") if cell.cell_type == "code"]
    assert code[1].startswith("def main(") and code[1].endswith("    # ## Evaluate\n\n    return total")


# python -m lessons.notebook writes real .ipynb files.

def test_all_writes_every_lesson_and_nothing_else(written):
    assert sorted(path.name for path in written.iterdir()) == sorted(f"{name}.ipynb" for name in lessons.LESSONS)
    for name in lessons.LESSONS:
        nbformat.validate(nbformat.read(written / f"{name}.ipynb", as_version=4))


def test_one_lesson_goes_to_notebooks_in_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    notebook.main(["multiplication"])
    assert [path.name for path in (tmp_path / "notebooks").iterdir()] == ["multiplication.ipynb"]
    assert "Wrote notebooks/multiplication.ipynb" in capsys.readouterr().out


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_a_notebook_gets_the_mode_the_umask_gives_and_no_leftovers(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = notebook.write_notebook("multiplication", tmp_path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600: a class shares these
    assert [p.name for p in tmp_path.iterdir()] == ["multiplication.ipynb"]


def test_an_unknown_lesson_is_one_paragraph_and_exit_2(tmp_path):
    process = run_python("-m", "lessons.notebook", "cnnn", "--out", str(tmp_path), timeout=60)
    assert process.returncode == 2
    message = process.stderr.strip()
    assert message.startswith("error: there is no lesson named 'cnnn'") and "\n" not in message
    assert all(name in message for name in lessons.LESSONS)
    assert not list(tmp_path.iterdir())


def imports_tensorflow(argv, cwd):
    """Run `python -m lessons.notebook ARGV` in a fresh process; return whether it imported TensorFlow.

    A lazy stand-in for `tensorflow` in sys.modules (tfgraph.quiet) does not count: the real package
    loads `tensorflow.python`."""
    code = ("import runpy, sys\n"
            f"sys.argv = ['lessons.notebook'] + {argv!r}\n"
            "try:\n"
            "    runpy.run_module('lessons.notebook', run_name='__main__', alter_sys=True)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('tensorflow.python' in sys.modules)\n")
    process = run_python(code=code, cwd=cwd, timeout=120)
    return process.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize("argv", [[], ["--help"], ["cnnn"], ["--bogus"]])
def test_help_and_mistakes_do_not_import_tensorflow(argv, tmp_path):
    assert not imports_tensorflow(argv, tmp_path)


def test_writing_a_notebook_does_not_import_tensorflow(tmp_path):
    # Reading a lesson's flags imports the lesson, whose `import tensorflow` is a lazy stand-in (tfgraph.quiet).
    assert not imports_tensorflow(["cnn", "--out", str(tmp_path)], tmp_path)
    assert (tmp_path / "cnn.ipynb").exists()


@pytest.mark.parametrize("argv", [[], ["cnn", "--all"]])
def test_name_one_lesson_or_all(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        notebook.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m lessons.notebook: error: name one lesson, or give --all")
    assert err.splitlines()[-1] == "See the options with: python -m lessons.notebook --help"


@pytest.mark.parametrize("name", lessons.LESSONS)
def test_notebook_layout(written, name):
    nb = nbformat.read(written / f"{name}.ipynb", as_version=4)
    title = lessons.header(name)["Title"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {title}\n")
    assert settings(nb) is nb.cells[2]
    run, tensorboard = nb.cells[-2:]
    assert run.cell_type == "code" and "result = main(argv)" in run.source
    assert tensorboard.cell_type == "markdown" and f"tensorboard --logdir logs/{name}" in tensorboard.source
    assert not any("__name__" in cell.source for cell in nb.cells)
    # Between the settings and the run cell: the lesson's code, all of it, unchanged and in order.
    lesson = ast.parse((ROOT / "lessons" / f"{name}.py").read_text()).body[1:-1]  # no docstring, no guard
    cells = "\n".join(cell.source for cell in nb.cells[3:-3] if cell.cell_type == "code")
    assert ast.dump(ast.Module(lesson, [])) == ast.dump(ast.parse(cells))


@pytest.mark.parametrize("name", lessons.LESSONS)
def test_settings_are_the_flags_defaults(written, name):
    parser = notebook.lesson_parser(name)
    defaults = {action.dest: action.default for action in parser._actions if action.dest != "help"}
    defaults["show"] = True  # the notebook draws its plots
    assert knob_values(nbformat.read(written / f"{name}.ipynb", as_version=4)) == defaults


def test_run_cell_turns_the_settings_into_the_flags(written, monkeypatch):
    """Every knob changed from its default reaches the lesson's parse_args through the run cell."""
    from lessons import cnn

    nb = nbformat.read(written / "cnn.ipynb", as_version=4)
    changed = {"num_epochs": 3, "batch_size": 7, "learning_rate": 0.5, "shuffle": False, "keep_conv": 0.25,
               "block3_dropout": True, "seed": 4, "data_dir": "/tmp/my mnist", "sample": True, "show": False,
               "device": "cpu", "logdir": "-odd name"}
    for name, value in changed.items():
        set_knob(nb, name, value)
    namespace = knob_values(nb)
    namespace["main"] = cnn.parse_args
    run_source = "\n".join(line for line in nb.cells[-2].source.splitlines() if not line.startswith("%"))
    exec(run_source, namespace)  # noqa: S102
    args = namespace["result"]
    assert {name: getattr(args, name) for name in changed} == changed


# Each notebook runs top to bottom in a real kernel, on the dry-run settings.

@pytest.mark.parametrize("name", [name if name == REPRESENTATIVE else pytest.param(name, marks=pytest.mark.slow)
                                  for name in lessons.LESSONS])
def test_notebook_runs_top_to_bottom(request, name):
    nb, folder = ran(request.getfixturevalue("executed_one" if name == REPRESENTATIVE else "executed_rest"), name)
    run = nb.cells[-2]
    assert "dry_run=True" in outputs(run, "stdout")
    assert "usage:" not in outputs(run, "stderr")
    noisy = [quiet_noise for cell in nb.cells if cell.cell_type == "code"
             for quiet_noise in quiet.NOISE if quiet_noise in outputs(cell, "stderr")]
    assert not noisy, f"TensorFlow's start-up messages in the notebook: {noisy}"
    images = outputs(run, "image/png")
    assert len(images) >= 1 if name in PLOTTING else not images
    assert list((folder / "logs" / name).glob("*/*/events.out.tfevents.*"))


def test_a_notebooks_dry_run_names_its_switch_and_writes_where_git_ignores_it(executed_one):
    nb, folder = ran(executed_one, REPRESENTATIVE)
    assert "To train for real, set dry_run = False in the settings cell" in outputs(nb.cells[-2], "stdout")
    written = [path.relative_to(folder) for path in (folder / "logs").rglob("*") if path.is_file()]
    assert written
    # The notebook ran in its folder, as it does in notebooks/ (`python -m lessons.notebook`) or next to the
    # lesson (VS Code): every file its run wrote there is ignored by git, and the logs folder's keeper is not.
    for place in ("notebooks", "lessons"):
        paths = [f"{place}/{path}" for path in written]
        ignored = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True,
                                 text=True).stdout.split()
        assert sorted(ignored) == sorted(paths)
    kept = subprocess.run(["git", "check-ignore", "--no-index", "-q", "logs/.gitkeep"], cwd=ROOT)
    assert kept.returncode == 1  # not ignored
