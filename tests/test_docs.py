"""The README and the pages under docs/: every relative link resolves, the README stays a front door.

Also the Markdown reading the other tests/test_docs_*.py share: the pages, and each page cut into
sentences, table rows and lines of code (`units`).
"""
import configparser
import re
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
#: The README is the front door: what this is, Quick start, the lessons, a paragraph per topic.
README_MAX_LINES = 200
#: Pages the README must link to (each topic that moved out of it has one).
TOPIC_PAGES = ("index", "lessons", "notebooks", "tensorboard", "mnist", "troubleshooting", "training-loop",
               "teachers", "old-code", "distributed", "speed")

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
GENERATED = re.compile(r"<!-- ([\w.]+(?: [\w.]+)*): start -->.*?<!-- \1: end -->", re.S)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\[(])")


class Unit(NamedTuple):
    """A sentence, a table row or a line of code of a Markdown page, with what surrounds it."""

    line: int      # where it starts, counting from 1
    kind: str      # "sentence" (of a paragraph, list item or heading), "row" (of a table) or "code"
    text: str      # a line of code ending in a backslash goes on with the next
    context: str   # a row: the row under its table's header; otherwise the text itself
    lead: str      # a row: the sentence just before its table (which often says what the table holds)


def without_generated_sections(text):
    """`text` with each generated section blanked out, its line count kept (so line numbers hold)."""
    return GENERATED.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def units(text):
    """The Units of a Markdown page: each sentence of its paragraphs and list items, table row, code line."""
    result, paragraph, code, header, lead, fence = [], [], [], None, "", None

    def close(pending, kind):
        if pending and kind == "code":
            result.append(Unit(pending[0][0], "code", "\n".join(line for _, line in pending), "", ""))
        elif pending:
            joined, offset = "\n".join(line for _, line in pending), 0
            for sentence in SENTENCE_END.split(joined):
                offset = joined.index(sentence, offset)
                result.append(Unit(pending[0][0] + joined[:offset].count("\n"), "sentence", sentence, sentence, ""))
                offset += len(sentence)
        pending.clear()

    previous, indented = "", False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        indented = not fence and line.startswith("    ") and (indented or not previous.strip()) and not paragraph
        if fence or indented:
            if fence and stripped.startswith(fence):
                close(code, "code")
                fence = None
            else:
                code.append((number, line))
                if not line.rstrip().endswith("\\"):
                    close(code, "code")
            previous = line
            continue
        close(code, "code")
        if stripped.startswith(("```", "~~~")):
            close(paragraph, "sentence")
            fence = stripped[:3]
        elif stripped.startswith("|"):
            if header is None:
                close(paragraph, "sentence")
                lead = result[-1].text if result and result[-1].kind == "sentence" else ""
            header = header or line
            result.append(Unit(number, "row", line, f"{header}\n{line}", lead))
        else:
            header = None
            if not stripped or re.match(r"([-*+]|\d+\.)\s|#", stripped):
                close(paragraph, "sentence")
            if stripped:
                paragraph.append((number, line))
        previous = line
    close(code, "code")
    close(paragraph, "sentence")
    return result


def prose(text):
    """`text` without fenced code blocks and inline code, where brackets are code, not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def anchors(path):
    """The #anchors GitHub gives the headings of the Markdown file `path`."""
    seen, result = {}, set()
    for _, title in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)  # a link in a heading: its text
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        result.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return result


def broken_links(page):
    """Each relative link of `page` whose file or #anchor does not exist, with the reason."""
    problems = []
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:, ...: not checked offline
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            problems.append(f"{target}: {linked} does not exist")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: {linked.name} has no heading with the anchor #{anchor}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < README_MAX_LINES, f"README.md has {len(lines)} lines; move a section to docs/"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:3] == ["## Quick start", "## The lessons", "## Results"], headings
    linked = {Path(target.partition("#")[0]).stem for target in LINK.findall(prose("\n".join(lines)))
              if target.startswith("docs/")}
    assert set(TOPIC_PAGES) <= linked, f"README.md links no page for {sorted(set(TOPIC_PAGES) - linked)}"


def test_quick_start_begins_with_the_seconds_path():
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for line in FENCE.search(quick_start).group(0).splitlines()
                if line.startswith("python -m lessons")]
    assert commands[0] == "python -m lessons.multiplication" and "--dry-run" in commands[1], commands


def test_every_docs_page_is_listed_in_the_index():
    index = prose((ROOT / "docs" / "index.md").read_text(encoding="utf-8"))
    listed = {Path(target.partition("#")[0]).name for target in LINK.findall(index)}
    pages = {page.name for page in PAGES if page.parent.name == "docs" and page.name != "index.md"}
    assert pages <= listed, f"docs/index.md does not list {sorted(pages - listed)}"


def test_the_notebook_extra_installs_what_the_notebook_page_runs():
    extras = configparser.ConfigParser()
    extras.read(ROOT / "setup.cfg", encoding="utf-8")
    notebook_extra = {re.split(r"[<>=!~\[ ]", line.strip())[0].lower()
                      for line in extras["options.extras_require"]["notebook"].splitlines() if line.strip()}
    provider = {"execute": "nbclient", "nbconvert": "nbconvert", "lab": "jupyterlab", "notebook": "notebook"}
    page = (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"\bjupyter (execute|nbconvert|lab|notebook)\b", page))
    assert {"execute", "nbconvert"} <= commands  # the page shows a headless run
    # JupyterLab comes with Notebook 7, which the extra installs.
    needed = {provider[command] for command in commands} - ({"jupyterlab"} if "notebook" in notebook_extra else set())
    assert needed <= notebook_extra, f"the notebook extra lacks {sorted(needed - notebook_extra)}"
    assert {"jupytext", "ipykernel"} <= notebook_extra


# The checker itself, on pages made to be wrong: it must see what is broken and only that.

def test_the_link_checker_finds_missing_files_and_anchors(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A `code` heading, with punctuation!\n\n## Twice\n\n"
                                       "## Twice\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n"
                    "[fine](other.md) [fine](other.md#a-code-heading-with-punctuation) [fine](#page)\n"
                    "[fine](other.md#twice-1) ![fine](other.md) [web](https://example.org/missing)\n"
                    "[gone](missing.md) ![gone](images/missing.png) [bad anchor](other.md#nowhere)\n"
                    "[bad anchor](#nowhere) `[in code](missing-too.md)`\n\n"
                    "```\n[in a block](missing-three.md)\n```\n", encoding="utf-8")
    problems = broken_links(page)
    assert len(problems) == 4, problems
    assert [problem.split(":")[0] for problem in problems] == [
        "missing.md", "images/missing.png", "other.md#nowhere", "#nowhere"]
