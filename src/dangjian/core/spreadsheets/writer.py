"""Spreadsheet output: csv streamed in chunks, xlsx through a write-only workbook.

Both guard against formula injection: a text cell that starts with = + - @, a tab or a
carriage return is written in csv with a leading apostrophe, and in xlsx as an explicit
string cell with the quote prefix set, so no spreadsheet program evaluates it. Numbers
(int, Decimal, float) stay numbers in both.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


# Writing -----------------------------------------------------------------------------

def needs_guard(value):
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if needs_guard(text) else text


class CsvWriter:
    """Rows to csv bytes in chunks: feed `write_row`, take `drain()` for a streaming
    response. Starts with a UTF-8 BOM so Excel opens Chinese text correctly."""

    def __init__(self):
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._buffer.write("\ufeff")

    def write_row(self, values):
        self._writer.writerow([csv_value(v) for v in values])

    def drain(self):
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


class XlsxWriter:
    """A write-only openpyxl workbook: memory stays flat whatever the row count."""

    def __init__(self, title, header):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._cell = WriteOnlyCell
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])
        bold = Font(bold=True)
        cells = []
        for label in header:
            cell = WriteOnlyCell(self.sheet, value=label)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def write_row(self, values):
        self.sheet.append([self._xlsx_value(v) for v in values])

    def _xlsx_value(self, value):
        if isinstance(value, str):
            value = _ILLEGAL_XML.sub("", value)
            if needs_guard(value):
                cell = self._cell(self.sheet, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                return cell
        return value

    def save(self, target):
        self.book.save(target)

