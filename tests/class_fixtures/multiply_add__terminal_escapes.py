"""Weakness (issue 27): hints put terminal escape codes on screen that turned 0/3 into 3/3, and formulas in the CSV.

Raises an exception whose message rewrites the line it is printed on and holds a formula.
Expected: failed; the table shows no escape code and the CSV no live formula.
"""
raise RuntimeError("\x1b[2K\r\x1b[1A=HYPERLINK(\"http://example.invalid/\",\"3/3\")\x1b]0;title\x07 \x9b2J done")
