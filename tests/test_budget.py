"""The house's structure: no import circles, no re-exports, train_model in one sitting, small functions and modules."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tfgraph", "lessons")  # the code whose structure is checked
USERS = ("tfgraph", "lessons", "benchmarks", "scripts", "tests")  # the code whose imports must name a home
MODULE_LINES = 400  # any module under tfgraph/ or lessons/
FUNCTION_LINES = 80  # any function or method under tfgraph/ or lessons/, its docstring included
TRAIN_MODEL_BODY = 60  # train_model's statements, its docstring left out
#: Folders of student files (hostile or mistaken on purpose), not the project's code.
STUDENT_CODE = {"class_fixtures", "exercise_mistakes"}
#: The one documented public face: tfgraph.mnist is the MNIST loader's API, as TF1's input_data was.
PUBLIC_FACES = {"tfgraph.mnist"}


def python_files(root, *folders):
    return sorted(path for folder in folders for path in (root / folder).rglob("*.py"))


def module_name(root, path):
    """'tfgraph.cli' for tfgraph/cli.py, 'tfgraph' for tfgraph/__init__.py."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root, folders=PACKAGES):
    """{module name: parsed tree} of every module under `folders`."""
    return {module_name(root, path): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in python_files(root, *folders)}


def imports(name, tree, known, is_package):
    """(imported module, imported name or None) for every import statement in `tree`, at any depth, within `known`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name in known]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from this module's package
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:
                    found.append((submodule, None))  # `from tfgraph import cli`: the module itself
                elif base in known:
                    found.append((base, alias.name))
    return found


def import_graph(root, folders=PACKAGES):
    """{module: set of project modules it imports}, from their import statements (function-level ones too)."""
    trees = modules(root, folders)
    packages = {module_name(root, path) for path in python_files(root, *folders) if path.name == "__init__.py"}
    return {name: {target for target, _ in imports(name, tree, trees, name in packages) if target != name}
            for name, tree in trees.items()}


def import_circles(graph):
    """Every import circle in `graph`, each as the list of modules around it (one per circle)."""
    circles, done, stack = [], set(), []

    def visit(node):
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target in stack:
                circle = stack[stack.index(target):]
                start = circle.index(min(circle))
                circle = circle[start:] + circle[:start]  # each circle told from its first module by name
                if not any(set(circle) == set(seen) for seen in circles):
                    circles.append(circle)
            elif target not in done:
                visit(target)
        stack.pop()
        done.add(node)
    for node in sorted(graph):
        if node not in done:
            visit(node)
    return circles


def defined_names(tree):
    """Names a module defines at its top level: functions, classes, assignments (not imports)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {leaf.id for target in targets for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
        elif isinstance(node, (ast.If, ast.Try)):  # definitions under `if` / `try` at the top level
            names |= defined_names(ast.Module(body=node.body + getattr(node, "orelse", []), type_ignores=[]))
    return names


def borrowed_names(root, users=USERS, packages=PACKAGES):
    """`module: name` for each project name used from a module that only imports it (a re-export)."""
    homes = modules(root, packages)
    defined = {name: defined_names(tree) for name, tree in homes.items()}
    submodules = set(homes)
    found = []
    for path in python_files(root, *users):
        if STUDENT_CODE & set(path.relative_to(root).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        name = module_name(root, path)
        aliases = {}  # local name -> project module, for `cli.open_run`
        for target, imported in imports(name, tree, homes, path.name == "__init__.py"):
            if imported is not None and target not in PUBLIC_FACES and imported not in defined[target] \
                    and f"{target}.{imported}" not in submodules:
                found.append(f"{path.relative_to(root)}: {imported} from {target}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in homes:
                        aliases[alias.asname or alias.name] = full
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in homes and alias.asname:
                        aliases[alias.asname] = alias.name
        rebound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                    and node.value.id not in rebound:
                home = aliases[node.value.id]
                if home not in PUBLIC_FACES and node.attr not in defined[home] \
                        and f"{home}.{node.attr}" not in submodules and not node.attr.startswith("__"):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value.id}.{node.attr} "
                                 f"(not defined in {home})")
    return sorted(set(found))


def unused_imports(root, packages=PACKAGES):
    """`module: name` for each project name a module imports at its top level and never uses (kept to re-export)."""
    homes = modules(root, packages)
    found = []
    for name, tree in homes.items():
        if name in PUBLIC_FACES:
            continue
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
                found += [f"{name}: {alias.asname or alias.name}" for alias in node.names
                          if (alias.asname or alias.name) not in used]
    return found


def functions(path):
    """(qualified name, lines) of every function and method defined in the file at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((prefix + child.name, child.end_lineno - child.lineno + 1))
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, prefix + child.name + ".")
    visit(tree, "")
    return found


def body_lines(function):
    """Lines of a function's body from its first statement after the docstring."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return body[-1].end_lineno - body[0].lineno + 1


def test_no_import_circle_in_tfgraph_or_lessons():
    circles = import_circles(import_graph(ROOT))
    assert not circles, "import circles: " + "; ".join(" -> ".join(circle + circle[:1]) for circle in circles)


def test_every_name_is_imported_from_the_module_that_defines_it():
    assert not borrowed_names(ROOT), "names used through a module that does not define them: " \
        + "; ".join(borrowed_names(ROOT))


def test_no_module_imports_a_project_name_only_to_pass_it_on():
    assert not unused_imports(ROOT), "imported and never used (re-exports): " + "; ".join(unused_imports(ROOT))


def test_no_module_in_tfgraph_or_lessons_is_over_400_lines():
    too_long = [f"{path.relative_to(ROOT)} ({lines} lines)" for path in python_files(ROOT, *PACKAGES)
                if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES]
    assert not too_long, "modules over 400 lines (split where the concept splits): " + "; ".join(too_long)


def test_no_function_in_tfgraph_or_lessons_is_over_80_lines():
    too_long = [f"{path.relative_to(ROOT)}: {name} ({lines} lines)"
                for path in python_files(ROOT, *PACKAGES) for name, lines in functions(path)
                if lines > FUNCTION_LINES]
    assert not too_long, "functions over 80 lines: " + "; ".join(too_long)


def test_train_model_body_reads_in_one_sitting():
    tree = ast.parse((ROOT / "tfgraph" / "training.py").read_text(encoding="utf-8"))
    train_model = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "train_model")
    assert body_lines(train_model) < TRAIN_MODEL_BODY


def write_package(root, files):
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


def test_the_structure_checks_can_fail(tmp_path):
    """A made-up package with a circle, a re-export and its use: each check finds it; a clean one passes."""
    write_package(tmp_path, {
        "tfgraph/__init__.py": "",
        "tfgraph/a.py": "from tfgraph.b import helper\n\ndef first():\n    return helper()\n",
        "tfgraph/b.py": "def helper():\n    from tfgraph import c\n    return c\n",
        "tfgraph/c.py": "from tfgraph.a import first  # noqa: F401\nfrom tfgraph.b import helper  # noqa: F401\n",
        "lessons/__init__.py": "",
        "lessons/one.py": "from tfgraph import c\nfrom tfgraph.c import first\n\nc.helper()\nfirst()\n",
    })
    assert import_circles(import_graph(tmp_path)) == [["tfgraph.a", "tfgraph.b", "tfgraph.c"]]
    assert unused_imports(tmp_path) == ["tfgraph.c: first", "tfgraph.c: helper"]
    assert borrowed_names(tmp_path, users=("lessons",)) == [
        "lessons/one.py: first from tfgraph.c", "lessons/one.py:4: c.helper (not defined in tfgraph.c)"]
    write_package(tmp_path, {"tfgraph/c.py": "X = 1\n", "lessons/one.py": "from tfgraph import c\nprint(c.X)\n"})
    assert not import_circles(import_graph(tmp_path)) and not unused_imports(tmp_path)
    assert not borrowed_names(tmp_path, users=("lessons",))


def test_the_size_checks_can_fail(tmp_path):
    """The helpers above measure what they claim: a long function is counted whole, docstrings left out."""
    source = tmp_path / "long.py"
    source.write_text('def f():\n    """Doc."""\n' + "    x = 1\n" * 90 + "\nclass C:\n    def m(self):\n        pass\n")
    assert functions(source) == [("f", 92), ("C.m", 2)]
    assert body_lines(ast.parse(source.read_text()).body[0]) == 90
