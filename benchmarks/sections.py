"""The generated sections of benchmarks/results.md (and the README's table): each script rewrites only its own."""
from pathlib import Path

from tfgraph.atomic import write_text_atomically

RESULTS = Path(__file__).resolve().parent / "results.md"


def markers(name):
    """The comment lines that open and close the section `name` writes (`<!-- name: start -->`)."""
    return f"<!-- {name}: start -->", f"<!-- {name}: end -->"


def write_section(name, lines, path=RESULTS, create="# Benchmark results\n"):
    """Put `lines` between `name`'s markers in `path`, replacing what was there, or append them; atomically."""
    start, end = markers(name)
    section = "\n".join([start, *lines, end])
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else create
    if start in text:
        text = text[:text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    write_text_atomically(path, text)
    print(f"Wrote {path}")
