"""What the README and `python -m lessons` say the lessons are: the article's, in its order, then those beyond it."""
import re

import lessons
from lessons import __main__ as index
from tests.test_docs import README

ROW = re.compile(r"^\| `lessons\.(\w+)` \| ([^|]*) \|", re.M)


def readme_lessons():
    """(lesson, its "the article's section" cell) for each row of the README's table of lessons."""
    section = README.read_text(encoding="utf-8").split("## The lessons", 1)[1].split("\n## ", 1)[0]
    return ROW.findall(section)


def test_the_article_lessons_come_first_in_the_list():
    beyond = [lessons.beyond_the_article(name) for name in lessons.LESSONS]
    assert beyond == sorted(beyond), f"a lesson of the article follows one beyond it: {lessons.LESSONS}"
    assert not beyond[0], "the list starts with the article's first lesson"


def test_the_readme_lists_every_lesson_in_order_and_says_which_go_beyond_the_article():
    rows = readme_lessons()
    assert [name for name, _ in rows] == list(lessons.LESSONS)
    for name, section in rows:
        assert ("beyond the article" in section) == lessons.beyond_the_article(name), (name, section)


def test_the_index_puts_the_lessons_beyond_the_article_under_their_own_heading(capsys):
    index.main()
    out = capsys.readouterr().out
    positions = {name: out.index(f". {name} -- ") for name in lessons.LESSONS}
    beyond = [name for name in lessons.LESSONS if lessons.beyond_the_article(name)]
    article = [name for name in lessons.LESSONS if name not in beyond]
    assert out.startswith("The article's lessons, in its order.")
    if beyond:
        heading = out.index("Beyond the article:")
        assert max(positions[name] for name in article) < heading < min(positions[name] for name in beyond)
    else:
        assert "Beyond the article:" not in out
    assert out.count("Expected:") == len(lessons.LESSONS)


def test_a_header_decides_whether_a_lesson_is_beyond_the_article(monkeypatch):
    headers = {"a": {"Article section": "Multiplication"},
               "b": {"Article section": "Basic Fully Connected Network, placed on a cluster (beyond the article)"}}
    monkeypatch.setattr(lessons, "header", headers.__getitem__)
    assert (lessons.beyond_the_article("a"), lessons.beyond_the_article("b")) == (False, True)
