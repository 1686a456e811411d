"""Every flag the README and docs/ name exists on the command or the lessons they name it with.

Two kinds of claim are checked:
- a command in code, `python -m lessons.cnn --block3-dropout` (also `lessons.cnn --epochs 5` and
  `cnn --resume` inside code, and `python benchmarks/throughput.py --levers`): each `--flag` after
  it must be one of that command's flags (for `lessons.exercises`, of the subcommand given);
  `lessons.<name>` means any lesson, so its flags must exist on every lesson;
- a flag on its own in code (`` `--resume` ``) after lessons named in its sentence (`` `cnn` ``,
  `lessons.cnn`): it must exist on one of them at least, since a sentence may name a lesson in
  passing ("`lessons.tf_function` loads a `lessons.cnn` checkpoint (`--from-tf1`)"); lessons
  named after the flag are not its subject ("`--from-tf1` loads a `lessons.cnn` run"). A claim about a set of lessons
  must hold for each: a table's rows, under the sentence that introduces the table and names the
  lessons it is about ("the network lessons (`fully_connected`, `modern_net`, `cnn`):"), and a
  sentence saying "every lesson" (or "all lessons", "any lesson", "each lesson": all of them) or
  "every lesson but `multiplication`" (all but those it names).

Each command's flags are read from its own argparse parser, caught as the command builds it,
before it parses anything: no TensorFlow starts (tests/test_quiet.py checks the same for --help).
Commands that are not this project's (`tensorboard --logdir`, `jupyter`, `pip`) are not checked.
"""
import argparse
import functools
import importlib
import importlib.util
import re
import runpy
import sys
from unittest import mock

import pytest

import lessons
from tests.test_docs import PAGES, ROOT, units

#: Commands that read their options by hand, not with argparse, with those options: `python -m
#: tfgraph.legacy [--quiet] [--sample] script.py [args]` (what follows the script is the script's).
HAND_PARSED = {"tfgraph.legacy": {"--quiet", "--sample", "--help", "-h"}}
LESSON = "|".join(lessons.LESSONS)
COMMAND = re.compile(
    r"(?:\bpython3?\s+-m\s+(?P<module>(?:lessons|tfgraph)(?:\.[\w<>]+)*)"
    r"|\bpython3?\s+(?P<path>(?:benchmarks|scripts)/\w+\.py)"
    rf"|(?<![\w./-])(?P<lesson>lessons\.(?:{LESSON}|<name>))"
    rf"|^(?P<bare>{LESSON})(?=\s+--))"
    r"(?P<args>[^`#|;&\n]*)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
BUT = re.compile(r"\b(?:all|every lesson|each lesson|any lesson)\s+(?:but|except)\b", re.I)
EVERY = re.compile(r"\b(?:every|each|any)\s+lesson\b(?!\s+(?:that|which|but|whose|except|with|of))"
                   r"|\ball\s+(?:the\s+)?lessons\b(?!\s+(?:that|which|but|whose|except|with))", re.I)


class _Caught(BaseException):
    """Carries a parser out of the command that built it (BaseException: no `except Exception` stops it)."""

    def __init__(self, parser):
        super().__init__("parser caught")
        self.parser = parser


@functools.lru_cache(maxsize=None)
def command_flags(command):
    """{subcommand or "": the flags it takes} of a command: a module (`lessons.cnn`) or a file (`benchmarks/x.py`).

    The command's `parse_args([])` (or else its `main()`) builds its parser, which is caught at
    its first parse; the command's own code runs no further.
    """
    if command in HAND_PARSED:
        return {"": frozenset(HAND_PARSED[command])}

    def catch(parser, *args, **kwargs):
        raise _Caught(parser)

    if command.endswith(".py"):
        namespace = runpy.run_path(str(ROOT / command), run_name="checked_by_test_docs_flags")
    else:
        spec = importlib.util.find_spec(command)
        namespace = vars(importlib.import_module(command + (".__main__" if spec.submodule_search_locations else "")))
    with mock.patch.object(argparse.ArgumentParser, "parse_args", catch), \
            mock.patch.object(argparse.ArgumentParser, "parse_known_args", catch), \
            mock.patch.object(sys, "argv", [command]):
        try:
            namespace["parse_args"]([]) if "parse_args" in namespace else namespace["main"]()
        except _Caught as caught:
            return parser_flags(caught.parser)
    raise AssertionError(f"{command} did not build an argparse parser, so its flags cannot be checked")


def parser_flags(parser):
    """{subcommand or "": its option strings} of an argparse parser; a subcommand's include the parser's own."""
    own = frozenset(parser._option_string_actions)
    flags = {"": own}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                flags[name] = own | parser_flags(sub)[""]
    return flags


def commands_in(text):
    """(command, subcommand or None, [flags]) for each of this project's commands in a piece of code."""
    found = []
    for match in COMMAND.finditer(re.sub(r"\\\n", " ", text.strip())):  # a line ending in \ goes on
        command = match["module"] or match["path"] or match["lesson"] or f"lessons.{match['bare']}"
        words = match["args"].split()
        if command in HAND_PARSED:  # the runner's options come before the script; the rest are the script's
            words = words[:next((i for i, word in enumerate(words) if word.endswith(".py")), len(words))]
        subcommand = next((word for word in words if not word.startswith("-")), None)
        flags = [FLAG.match(word).group(1) for word in words if FLAG.match(word)]
        found.append((command, subcommand, flags))
    return found


def named(text):
    """The lessons `text` names in code: `cnn`, `lessons.cnn`."""
    return set(re.findall(rf"(?:`|\blessons\.)({LESSON})\b", text))


def every(text):
    """The lessons `text` claims something for, each of them: "every lesson" (all), "every lesson but
    `multiplication`" (all but those named), or the lessons named in a table's introducing sentence;
    else None."""
    if BUT.search(text):
        return set(lessons.LESSONS) - named(text)
    return set(lessons.LESSONS) if EVERY.search(text) else None


def flag_problems(text):
    """Each flag the Markdown `text` names where it does not exist: "line: what is wrong"."""
    problems = []
    for unit in units(text):
        pieces = [unit.text] if unit.kind == "code" else CODE_SPAN.findall(unit.text)
        for piece in pieces:
            if unit.kind == "code" or not piece.lstrip().startswith("-"):
                for command, subcommand, flags in commands_in(piece):
                    problems += [problem for flag in flags
                                 for problem in command_problem(unit.line, command, subcommand, flag)]
        if unit.kind != "code":
            problems += bare_flag_problems(unit)
    return problems


def bare_flag_problems(unit):
    """Problems with the flags that stand alone in code in a sentence or table row (see the module's docstring)."""
    problems = []
    table = (every(unit.lead) or named(unit.lead)) if unit.kind == "row" else set()
    for clause in unit.text.split(";"):  # "every lesson takes `--seed`; the training lessons `--resume`"
        claimed = every(clause)
        for span in CODE_SPAN.finditer(clause):
            if not span.group(1).lstrip().startswith("-"):
                continue
            before = named(clause[:span.start()]) if claimed is None else set()
            for flag in FLAG.findall(span.group(1)):
                lacking = {name for name in (claimed or set()) | table | before
                           if flag not in command_flags(f"lessons.{name}")[""]}
                if (claimed or set()) & lacking or table & lacking or (before and before <= lacking):
                    problems.append(f"{unit.line}: {flag} is named with {', '.join(sorted(lacking))}, which "
                                    f"{'has' if len(lacking) == 1 else 'have'} no such flag")
    return problems


def command_problem(line, command, subcommand, flag):
    """[a problem] if `flag` is not one of `command`'s (every lesson's, for `lessons.<name>`), else []."""
    if command == "lessons.<name>":
        missing = [name for name in lessons.LESSONS if flag not in command_flags(f"lessons.{name}")[""]]
        return [f"{line}: lessons.<name> {flag}: no such flag on {', '.join(missing)}"] if missing else []
    flags = command_flags(command)
    if flag in flags.get(subcommand, flags[""]):
        return []
    return [f"{line}: {command}{' ' + subcommand if subcommand in flags else ''} has no flag {flag}"]


@pytest.mark.parametrize("page", PAGES,
                         ids=lambda page: str(page.relative_to(ROOT)))
def test_every_flag_a_page_names_exists_where_it_says(page):
    problems = flag_problems(page.read_text(encoding="utf-8"))
    assert problems == [], f"{page.name}:\n" + "\n".join(problems)


# The checker itself, on pages made to be wrong.

@pytest.mark.parametrize("text", [
    "Run `python -m lessons.cnn --block4-dropout`.",
    "```bash\npython -m lessons.cnn --epochs 3 --no-such-flag   # a comment --not-this\n```",
    "```bash\npython -m lessons.distributed --job-name ps \\\n    --no-such-host\n```",
    "| one process (`lessons.fully_connected --no-such-flag`) | 1 |",
    "The `multiplication --resume` run.",
    "`python -m lessons.<name> --sample` trains on the sample.",
    "`python -m lessons.exercises status --csv grades.csv`",
    "`python benchmarks/throughput.py --no-such-flag`",
    "In `cnn`, `--input-dropout` drops the input.",
    "Like `lessons.cnn`, `fully_connected` has `--input-dropout`.",
    "The network lessons (`modern_net`, `cnn`):\n\n| flag | what |\n|---|---|\n| `--input-dropout` | x |",
    "Every lesson takes `--sample`.",
    "Every lesson but `cnn` takes `--resume`.",
    "Shared by all lessons:\n\n| flag | what |\n|---|---|\n| `--data-dir DIR` | where MNIST is |",
])
def test_the_checker_catches_a_flag_that_does_not_exist(text):
    assert len(flag_problems(text)) == 1, flag_problems(text)


@pytest.mark.parametrize("text", [
    "Run `python -m lessons.cnn --block3-dropout` or `python -m lessons.modern_net --input-dropout`.",
    "```bash\npython -m lessons.distributed --job-name ps --task-index 0 \\\n    --ps-hosts a:1 --worker-hosts b:2\n```",
    "`python -m lessons.exercises check --all submissions/ --csv grades.csv --json grades.json`",
    "`python -m tfgraph.legacy --sample old.py --job_name=worker`",
    "`tensorboard --logdir logs/cnn` for every lesson; `pip install --upgrade x`",
    "Every lesson takes `--seed` and `--dry-run`; every lesson that trains takes `--resume`.",
    "Every lesson but `multiplication` takes `--resume`.",
    "Lessons that read MNIST (`logistic_regression`, `cnn`):\n\n| flag | what |\n|---|---|\n| `--sample` | x |",
    "`python -m lessons.<name> --dry-run`",
    "`python -m lessons.tf_function` loads a `lessons.cnn` checkpoint into it (`--from-tf1`).",
    "`--from-tf1 RUN_DIR` restores the newest checkpoint of a `lessons.cnn` run.",
])
def test_the_checker_lets_real_flags_stand(text):
    assert flag_problems(text) == []
