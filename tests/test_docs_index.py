"""docs/index.md's "Where things live" names every module, and nothing that is gone."""
from tests.test_docs import FENCE, ROOT

INDEX = ROOT / "docs" / "index.md"
#: Folders whose modules the tree names one by one: every module under tfgraph/ (tfgraph/legacy/, a
#: runner of old code with its own index in its __init__ docstring, as one entry), and the top level of
#: the folders a contributor runs or reads.
EACH_MODULE = ("tfgraph", "lessons", "benchmarks", "scripts")
ONE_ENTRY = ("tfgraph/legacy/",)


def tree_entries(markdown):
    """The paths the "Where things live" tree names: `dir/` for a folder, `dir/name.py` for a module."""
    section = markdown.split("## Where things live", 1)[1]
    block = FENCE.search(section).group(0).splitlines()[1:-1]
    entries, parents = set(), []
    for line in block:
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        parents = parents[:depth]
        path = "".join(parents) + name
        entries.add(path)
        if name.endswith("/"):
            parents.append(name)
    return entries


def modules(root):
    """The modules the tree must name (a folder in ONE_ENTRY stands for everything under it)."""
    found = set()
    for folder in EACH_MODULE:
        files = (root / folder).rglob("*.py") if folder == "tfgraph" else (root / folder).glob("*.py")
        for path in files:
            name = path.relative_to(root).as_posix()
            found.add(next((entry for entry in ONE_ENTRY if name.startswith(entry)), name))
    return found


def test_the_tree_names_every_module():
    missing = modules(ROOT) - tree_entries(INDEX.read_text(encoding="utf-8"))
    assert not missing, f"docs/index.md's \"Where things live\" does not name {sorted(missing)}"


def test_everything_the_tree_names_exists():
    gone = {entry for entry in tree_entries(INDEX.read_text(encoding="utf-8")) if not (ROOT / entry).exists()}
    assert not gone, f"docs/index.md's \"Where things live\" names what is not there: {sorted(gone)}"


def test_the_tree_reader_sees_nesting_and_a_missing_module(tmp_path):
    for name in ("tfgraph/__init__.py", "tfgraph/cli.py", "tfgraph/legacy/_nn.py", "lessons/cnn.py",
                 "lessons/exercises/checks.py", "benchmarks/suite.py", "scripts/tool.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    page = ("# Docs\n\n## Where things live\n\n```\nlessons/     the lessons\n  cnn.py     the CNN\n"
            "  exercises/ exercises\ntfgraph/     shared\n  __init__.py  the package\n  legacy/  old code\n"
            "benchmarks/\n  suite.py   the suite's numbers\nscripts/\n```\n")
    entries = tree_entries(page)
    assert entries == {"lessons/", "lessons/cnn.py", "lessons/exercises/", "tfgraph/", "tfgraph/__init__.py",
                       "tfgraph/legacy/", "benchmarks/", "benchmarks/suite.py", "scripts/"}
    assert modules(tmp_path) - entries == {"tfgraph/cli.py", "scripts/tool.py"}
