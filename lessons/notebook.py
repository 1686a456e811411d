"""Write a lesson as a Jupyter notebook: `python -m lessons.notebook cnn [--out DIR]`, or `--all`.

A lesson is one file that is both a script and a notebook: its `# %%` cells open as
a notebook in VS Code, and in Jupyter with jupytext. For everywhere else (a Jupyter
without jupytext, a hosted notebook service, a class's shared folder) this writes a
real `.ipynb` made from the lesson's own cells, read by jupytext, changed in three
places so that it behaves as a notebook:

- the header docstring becomes the title cell, as text;
- the flags become plain variables in the first code cell (`num_epochs = 10`, ...),
  generated from the lesson's own parser, so they are the script's defaults;
- the `if __name__ == "__main__"` cell, which would parse the kernel's own command
  line, becomes a cell that turns those variables into the flags for `main(argv)`,
  with the plots drawn under it, followed by how to open the run in TensorBoard.

Nothing is kept twice: regenerate the notebook after changing the lesson.
"""
import argparse
import ast
import importlib
import json
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from lessons import LESSONS, header
from tfgraph import atomic
from tfgraph.errors import TfgraphError

LESSONS_DIR = Path(__file__).resolve().parent
#: Where notebooks go unless --out says otherwise (relative to the current folder).
DEFAULT_OUT = "notebooks"
#: Names the generated run cell assigns in the notebook; no knob or lesson global may use them.
RUN_CELL_NAMES = ("options", "switches", "argv", "result")
#: Knobs whose notebook value differs from the flag's default, and why.
NOTEBOOK_VALUES = {"show": (True, "draw the plots under the run cell; False only saves them as PNG files")}
#: The settings cell's lines wrap at this width.
LINE_WIDTH = 110
#: A cell marker inside a function (indented): jupytext would start a cell there and cut the function in
#: two (VS Code starts cells only at markers at the start of a line).
INDENTED_MARKER = re.compile(r"^[ \t]+#[ \t]*%%.*\n", re.M)


@dataclass
class Knob:
    """One flag of a lesson as a notebook variable: `name = default`, and how it maps back to the flag."""

    name: str  # the flag's dest: num_epochs
    flag: str  # --epochs
    kind: str  # "option" (--epochs=10), "switch" (--sample) or "negated switch" (--no-shuffle)
    default: object
    help: str


class _ParserCaught(Exception):
    """Carries a lesson's parser out of its `parse_args` before anything is parsed."""

    def __init__(self, parser):
        super().__init__("parser caught")
        self.parser = parser


def lesson_path(name):
    """The file of lesson `name`."""
    return LESSONS_DIR / f"{name}.py"


def lesson_parser(name):
    """Lesson `name`'s ArgumentParser, built by its own `parse_args` and caught before it parses.

    Every lesson builds its parser and hands it to `tfgraph.cli.parse_args`; for the
    length of one call that function is swapped for one that carries the parser back
    (by raising) instead of parsing, so the knobs are exactly the script's flags.
    """
    from tfgraph import cli

    module = importlib.import_module(f"lessons.{name}")

    def catch(parser, argv=None):
        raise _ParserCaught(parser)

    with mock.patch.object(cli, "parse_args", catch):
        try:
            module.parse_args([])
        except _ParserCaught as caught:
            return caught.parser
    raise TfgraphError(f"lessons.{name}.parse_args did not hand its parser to tfgraph.cli.parse_args, "
                       "so its flags cannot become notebook variables.")


def _flag_help(parser, action):
    """An action's help text without its "(default: ...)", which the variable's value already says."""
    text = action.help or ""
    if "%(" in text:
        text = text % dict(vars(action), prog=parser.prog)
    start = text.rfind(" (default:")
    if start != -1 and text.endswith(")"):
        text = text[:start]
    return " ".join(text.split())


def knobs_of(parser):
    """The parser's flags as Knobs, in the parser's order (`--help` is left out)."""
    knobs = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        long_flags = [flag for flag in action.option_strings if flag.startswith("--")]
        name = action.dest
        if not long_flags or not name.isidentifier() or keyword.iskeyword(name):
            raise TfgraphError(f"The flag {action.option_strings or action.dest} cannot become a notebook "
                               "variable: give it a --long-name whose dest is a Python name.")
        flag = max(long_flags, key=len)
        if isinstance(action, argparse._StoreTrueAction):
            kind = "switch"
        elif isinstance(action, argparse._StoreFalseAction):
            kind = "negated switch"  # --no-shuffle sets shuffle = False
        elif isinstance(action, argparse._StoreAction) and action.nargs in (None, "?"):
            kind = "option"
        else:
            raise TfgraphError(f"The flag {flag} ({type(action).__name__}) has no notebook form yet: "
                               "lessons.notebook knows store, store_true and store_false flags.")
        default, help_text = action.default, _flag_help(parser, action)
        if name in NOTEBOOK_VALUES:
            default, help_text = NOTEBOOK_VALUES[name]
        elif kind == "negated switch":
            help_text = f"False is {flag}: {help_text}"
        if action.choices:
            help_text = "one of " + ", ".join(map(_literal, action.choices)) + ": " + help_text
        knobs.append(Knob(name, flag, kind, default, help_text))
    return knobs


def _literal(value):
    """`value` as Python source: strings in double quotes, the rest as repr."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        if ast.literal_eval(text) == value:
            return text
    text = repr(value)
    try:
        if ast.literal_eval(text) == value:
            return text
    except (ValueError, SyntaxError):
        pass
    raise TfgraphError(f"The default {value!r} cannot be written as a notebook variable: give the flag a "
                       "plain default (a number, a string, True, False or None).")


def settings_cell(knobs):
    """The first code cell: one `name = value  # --flag: help` line per knob."""
    assignments = [f"{knob.name} = {_literal(knob.default)}" for knob in knobs]
    aligned = min(max(map(len, assignments), default=0), 30) + 2  # comments start in one column
    lines = ["import lessons  # first: TensorFlow is then imported on first use, without its start-up messages", ""]
    for knob, assignment in zip(knobs, assignments):
        column = max(aligned, len(assignment) + 2)
        comment = knob.help if knob.kind == "negated switch" else f"{knob.flag}: {knob.help}"
        wrapped = textwrap.wrap(comment, max(40, LINE_WIDTH - column), initial_indent="# ",
                                subsequent_indent="#   ")
        lines.append(assignment.ljust(column) + wrapped[0])
        lines.extend(" " * column + more for more in wrapped[1:])
    return "\n".join(lines)


def run_cell(knobs):
    """The last code cell: the knobs as the script's flags, then `main(argv)`, plots inline."""
    options = [knob for knob in knobs if knob.kind == "option"]
    switches = [knob for knob in knobs if knob.kind != "option"]
    lines = ["%matplotlib inline", "options = {"]
    lines += [f"    {_literal(knob.flag)}: {knob.name}," for knob in options]
    lines += ["}", "switches = {"]
    lines += [f"    {_literal(knob.flag)}: {'not ' if knob.kind == 'negated switch' else ''}{knob.name},"
              for knob in switches]
    lines += ["}",
              'argv = [f"{flag}={value}" for flag, value in options.items() if value is not None]',
              "argv += [flag for flag, on in switches.items() if on]",
              "result = main(argv)"]
    return "\n".join(lines)


def header_cell(name):
    """The title cell: the lesson's docstring as text, its header fields as a list."""
    fields = header(name)
    doc = ast.get_docstring(ast.parse(lesson_path(name).read_text(encoding="utf-8"))) or ""
    body = doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else ""
    lines = [f"# {fields.get('Title', name)}", "", fields.get("Description", ""), ""]
    for key, value in fields.items():
        if key in ("Title", "Description"):
            continue
        if key == "Run":
            key, value = "As a script", f"`{value}`"
        lines.append(f"- **{key}:** {value}")
    lines += ["", body, "",
              f"*Made from `lessons/{name}.py` by `python -m lessons.notebook {name}`: to change the lesson, "
              "change that file and make the notebook again.*"]
    return "\n".join(lines)


def settings_text(name):
    """The text cell above the settings."""
    return ("## Settings\n\n"
            f"The flags of `python -m lessons.{name}` as variables, with the same defaults (the article's "
            f"values; `python -m lessons.{name} --help` lists them). Change one here, then run the notebook "
            "again from the top. `dry_run = True` is a check of a few seconds on the small MNIST sample "
            "shipped with tfgraph. When an exercise says `--epochs 2000`, set `num_epochs = 2000` here.")


def run_text(name):
    """The text cell above the run cell."""
    return ("## Run the lesson\n\n"
            f"The script runs `main` with its command line; here the settings above become that command "
            f"line (the same run as `python -m lessons.{name}` with those flags), and the plots appear "
            "under this cell.")


def tensorboard_text(name, logdir):
    """The last cell: the command that opens the run in TensorBoard, in a terminal or in the notebook."""
    folder = f"{logdir}/{name}"
    return ("## TensorBoard\n\n"
            "The run's last lines name its folder and the command that opens it in TensorBoard, from the "
            f"notebook's folder: `tensorboard --logdir {folder}` (with your `logdir`, if you changed it). "
            "To open TensorBoard inside the notebook instead, run this in a new cell:\n\n"
            f"```\n%load_ext tensorboard\n%tensorboard --logdir {folder}\n```")


def _top_level_names(source):
    """Names a lesson binds at module level (imports, functions, classes, assignments)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            names.update(target.id for target in ast.walk(node)
                         if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store))
    return names


def _is_docstring(cell):
    body = ast.parse(cell.source).body
    return (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str))


def _is_main_guard(cell):
    body = ast.parse(cell.source).body
    return (len(body) == 1 and isinstance(body[0], ast.If)
            and ast.unparse(body[0].test).replace("'", '"') == '__name__ == "__main__"')


def read_cells(name):
    """Lesson `name`'s cells as jupytext reads them (`py:percent`), each code cell checked to compile.

    A marker indented inside a function is dropped first, so the function stays whole in
    one cell and the text under the marker stays with it as a comment.
    """
    try:
        import jupytext
    except ImportError:
        raise TfgraphError("Writing notebooks needs jupytext: pip install -e \".[notebook]\" "
                           "(or pip install jupytext), then run this again.") from None
    path = lesson_path(name)
    notebook = jupytext.reads(INDENTED_MARKER.sub("", path.read_text(encoding="utf-8")), fmt="py:percent")
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        try:
            compile(cell.source, f"{path} (cell {number})", "exec")
        except SyntaxError as error:
            raise TfgraphError(
                f"Cell {number} of {path}, as a notebook cell, is not Python on its own ({error.msg}, "
                f"line {error.lineno} of the cell). jupytext starts a cell at every `# %%` line: keep cell "
                "markers between top-level statements, never inside a function.") from None
    return notebook.cells


def build_notebook(name):
    """Lesson `name` as an nbformat notebook: title, settings, the lesson's cells, run cell, TensorBoard."""
    import nbformat

    source = lesson_path(name).read_text(encoding="utf-8")
    cells = list(read_cells(name))
    if not cells or cells[0].cell_type != "code" or not _is_docstring(cells[0]):
        raise TfgraphError(f"lessons/{name}.py must open with its header docstring, alone in its first cell.")
    if cells[-1].cell_type != "code" or not _is_main_guard(cells[-1]):
        raise TfgraphError(f"lessons/{name}.py must end with the cell 'if __name__ == \"__main__\": cli.run(main)'.")
    knobs = knobs_of(lesson_parser(name))
    clashes = sorted(({knob.name for knob in knobs} | set(RUN_CELL_NAMES)) & _top_level_names(source)
                     | {knob.name for knob in knobs} & set(RUN_CELL_NAMES))
    if clashes:
        raise TfgraphError(f"In the notebook of {name}, the settings would share names with the lesson's own "
                           f"code: {', '.join(clashes)}. Rename the flag's dest or the lesson's name.")
    logdir = next((knob.default for knob in knobs if knob.name == "logdir"), "logs")

    new = nbformat.v4
    body = [new.new_markdown_cell(header_cell(name)), new.new_markdown_cell(settings_text(name)),
            new.new_code_cell(settings_cell(knobs))]
    for cell in cells[1:-1]:
        maker = new.new_code_cell if cell.cell_type == "code" else new.new_markdown_cell
        body.append(maker(cell.source))
    body += [new.new_markdown_cell(run_text(name)), new.new_code_cell(run_cell(knobs)),
             new.new_markdown_cell(tensorboard_text(name, logdir))]
    for number, cell in enumerate(body):
        cell.id = f"{name.replace('_', '-')}-{number}"  # stable ids: the same lesson, the same file
    notebook = new.new_notebook(cells=body, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(notebook)
    return notebook


def write_atomically(text, path):
    """Write `text` to `path` through a temporary file in the same folder, so `path` is whole or absent."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return atomic.write_atomically(path, lambda stream: stream.write(text))
    except OSError as error:
        raise TfgraphError(f"Cannot write {path}: {error.strerror or error}. "
                           "Choose a folder you can write to with --out.") from None


def write_notebook(name, out=DEFAULT_OUT):
    """Write lesson `name` as `out/<name>.ipynb` and return its path."""
    import nbformat

    return write_atomically(nbformat.writes(build_notebook(name)) + "\n", Path(out) / f"{name}.ipynb")


class _Parser(argparse.ArgumentParser):
    """Mistakes print their error line first and point to --help, as the lessons' flags do."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\nSee the options with: {self.prog} --help\n")


def parse_args(argv=None):
    """The command line: a lesson's name or --all, and --out."""
    parser = _Parser(
        prog="python -m lessons.notebook",
        description="Write a lesson as a Jupyter notebook (.ipynb), made from its .py file with jupytext.")
    parser.add_argument("name", nargs="?", help=f"the lesson: {', '.join(LESSONS)}")
    parser.add_argument("--all", action="store_true", help="write every lesson's notebook")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"the folder to write into (default: {DEFAULT_OUT}, in the current folder)")
    args = parser.parse_args(argv)
    if args.all == (args.name is not None):
        parser.error("name one lesson, or give --all for every lesson")
    return args


def unknown_lesson(name):
    """The paragraph printed for a name that is no lesson."""
    return (f"error: there is no lesson named {name!r}. The lessons are {', '.join(LESSONS[:-1])} and "
            f"{LESSONS[-1]} (python -m lessons says what each one teaches); write one with "
            "python -m lessons.notebook cnn, or all of them with python -m lessons.notebook --all.")


def main(argv=None):
    """Write the notebooks asked for; print each path. Returns the paths."""
    args = parse_args(argv)
    if args.name is not None and args.name not in LESSONS:
        print(unknown_lesson(args.name), file=sys.stderr)
        sys.exit(2)
    try:
        paths = [write_notebook(name, args.out) for name in (LESSONS if args.all else [args.name])]
    except TfgraphError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    for path in paths:
        print(f"Wrote {path}")
    print("Open it in Jupyter, JupyterLab, VS Code or a hosted notebook service (tfgraph must be installed "
          "where the kernel runs) and run it from the top." if len(paths) == 1 else
          "Open them in Jupyter, JupyterLab, VS Code or a hosted notebook service (tfgraph must be installed "
          "where the kernel runs) and run each from the top.")
    return paths


if __name__ == "__main__":
    main()
