"""CSV cells a spreadsheet cannot run: every CSV the kit writes goes through ``inert`` (or ``write_rows``).

A spreadsheet (Excel, LibreOffice, Google Sheets) reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some also after a tab or a carriage return; a student name such as ``=HYPERLINK(...)`` would then run
when the instructor opens the file (OWASP "CSV injection"). ``inert`` puts a single quote before such a cell, which
the spreadsheet shows as text. A number is a number: ``-2.5`` and ``+1e3`` stay as they are, so that a negative
score or penalty still adds up. Leading spaces do not hide a formula: `` =1+1`` is made inert too.
"""
import csv
import io
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def inert(value):
    """``value`` as CSV cell text that no spreadsheet evaluates: None is '', a number its ``str``, and text that
    a spreadsheet would read as a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    cell = str(value)
    if NUMBER.fullmatch(cell):
        return cell
    if cell.startswith(("\t", "\r")) or cell.lstrip(" ").startswith(TRIGGERS):
        return "'" + cell
    return cell


def write_rows(rows, stream=None):
    """Write ``rows`` (lists of cells) as CSV, every cell through ``inert``. Returns the text when ``stream`` is
    None, else writes to ``stream`` (opened with ``newline=''``)."""
    out = io.StringIO() if stream is None else stream
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return out.getvalue() if stream is None else None
