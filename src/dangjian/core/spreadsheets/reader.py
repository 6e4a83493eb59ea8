"""Spreadsheet input shared by every import.

Reading accepts only .xlsx and .csv (UTF-8 with or without BOM, else GB18030, which is
what Excel on Chinese Windows writes). An upload is checked before any parser sees it:
its size, its extension and declared type, its first bytes, and for xlsx the zip
directory (entry count, total uncompressed size, compression ratio, no DTD in any XML
part), so a zip bomb or a renamed file is refused cheaply.

A file can stay under all of those and still inflate to a few hundred MB of XML (a 2.5 MB
xlsx holding 190 MB of sheet XML). So before the parser runs, every sheet and the
shared-string table are scanned as a stream of bytes, in fixed-size chunks: no run of
text (a cell, a shared string, an attribute) may be longer than MAX_CELL_BYTES, a sheet
may not have more rows or cells than the import allows, and the shared-string table
(which every reader keeps whole) has a size limit. Then a sheet of up to
DANGJIAN_IMPORT_FAST_READ_BYTES of XML is read by calamine (Rust, fast, holds the
sheet), a larger one is streamed row by row by openpyxl (read-only, with defusedxml).
Nothing the checks refuse is echoed back: the message names the limit, never the content.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .columns import Rendered

XLSX_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
    "application/zip",
    "application/x-zip-compressed",
    "",
}
CSV_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "text/comma-separated-values",
    "application/vnd.ms-excel",  # what browsers on Windows send for .csv
    "application/octet-stream",
    "",
}
MAX_COLUMNS = 64
BLANK_ROW_ALLOWANCE = 10_000
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024  # small parts may compress well without being a bomb
# A cell holds at most this much text (Excel's own limit is 32,767 characters); the byte
# scan allows for three bytes per character and XML escapes.
MAX_CELL_CHARS = 4000
MAX_CELL_BYTES = 4 * MAX_CELL_CHARS
SCAN_CHUNK = 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


class SpreadsheetError(Rendered, Exception):
    """The file as a whole cannot be read; the message says why (Chinese or English)."""


_UNREADABLE = _("无法读取该 xlsx 文件，请用 Excel 或 WPS 重新另存为 .xlsx。")


def fast_read_bytes():
    """Sheets and shared strings up to this much XML are read by calamine (fast, holds the
    sheet); larger ones are streamed by openpyxl (slower, holds one row)."""
    return getattr(settings, "DANGJIAN_IMPORT_FAST_READ_BYTES", 48 * 1024 * 1024)


def _xml_size(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist() if _is_cell_part(info.filename))


def _is_cell_part(name):
    return (name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml") and name.endswith(".xml")


def max_unzipped_bytes():
    default = max(50 * 1024 * 1024, 20 * settings.DANGJIAN_IMPORT_MAX_BYTES)
    return getattr(settings, "DANGJIAN_IMPORT_MAX_UNZIPPED_BYTES", default)


# Reading -----------------------------------------------------------------------------

@dataclass
class Sheet:
    """An upload that passed the checks. `rows()` can be iterated more than once."""

    kind: str  # "xlsx" or "csv"
    data: bytes = field(repr=False)
    max_rows: int = 0
    text: str = field(default="", repr=False)
    _scanned: bool = field(default=False, repr=False)
    _row_counts: dict = field(default_factory=dict, repr=False)

    def rows(self):
        """Yield (spreadsheet row number, tuple of values) for every non-blank row.

        Raises SpreadsheetError once more than `max_rows` + 1 (the header) rows appear.
        """
        source = self._xlsx_rows() if self.kind == "xlsx" else self._csv_rows()
        seen = 0
        for number, values, clean in source:
            if not clean:
                values = tuple(_clean_value(v) for v in values)
            if all(v is None or v == "" for v in values):
                continue
            seen += 1
            if self.max_rows and seen > self.max_rows + 1:
                raise SpreadsheetError(_("文件超过 %(max)s 行数据的上限，请分批导入。"), max=self.max_rows)
            yield number, values

    def estimated_rows(self):
        """Rows in the file (an upper bound, header and blank rows included), for progress."""
        if self.kind == "csv":
            return self.text.count("\n") + 1
        if not self._scanned:
            self._row_counts = scan_xlsx(self.data, max_rows=self.max_rows)
            self._scanned = True
        return max(self._row_counts.values(), default=0)

    def _xlsx_rows(self):
        if not self._scanned:
            self._row_counts = scan_xlsx(self.data, max_rows=self.max_rows)
            self._scanned = True
        if _xml_size(self.data) <= fast_read_bytes():
            return self._calamine_rows()
        return ((number, values, False) for number, values in self._streamed_rows())

    def _calamine_rows(self):
        """calamine holds the whole sheet: fast, with memory in proportion to the sheet's
        XML, which the caller has bounded (DANGJIAN_IMPORT_FAST_READ_BYTES)."""
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(self.data))
            if not book.sheet_names:
                raise SpreadsheetError(_("文件中没有工作表。"))
            sheet = book.get_sheet_by_index(0)
        except SpreadsheetError:
            raise
        except Exception as exc:  # calamine raises CalamineError, ZipError, XmlError, ValueError...
            raise SpreadsheetError(_UNREADABLE) from exc
        # Rows start at row 1 whatever the used range; columns start at its first column.
        pad = (None,) * ((sheet.start or (0, 0))[1])
        for number, values in enumerate(sheet.iter_rows(), start=1):
            end = min(len(values), MAX_COLUMNS - len(pad))
            while end and values[end - 1] in (None, ""):
                end -= 1
            # Cleaned here, in the one pass over the cells (as _clean_value does): a registry
            # has half a million rows.
            row = list(pad)
            for value in values[:end]:
                kind = type(value)
                if kind is str:
                    if not value:
                        value = None
                    elif len(value) > MAX_CELL_CHARS:
                        raise _cell_too_long()
                    else:
                        value = value.strip()
                elif kind is float and value.is_integer():
                    value = int(value)
                row.append(value)
            yield number, tuple(row), True

    def _streamed_rows(self):
        """openpyxl in read-only mode (with defusedxml) parses the sheet as a stream, one row
        at a time; the shared strings it keeps are bounded by the scan's limits."""
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SpreadsheetError(_UNREADABLE) from exc
        try:
            if not book.worksheets:
                raise SpreadsheetError(_("文件中没有工作表。"))
            try:
                for number, values in enumerate(book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                                start=1):
                    end = len(values)
                    while end and values[end - 1] is None:  # openpyxl pads every row to max_col
                        end -= 1
                    yield number, values[:end]
            except SpreadsheetError:
                raise
            except Exception as exc:
                raise SpreadsheetError(_UNREADABLE) from exc
        finally:
            book.close()

    def _csv_rows(self):
        csv.field_size_limit(MAX_CELL_CHARS)
        reader = csv.reader(io.StringIO(self.text, newline=""))
        try:
            for number, values in enumerate(reader, start=1):
                yield number, tuple(_unguard(v) for v in values[:MAX_COLUMNS]), False
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise _cell_too_long() from exc
            raise SpreadsheetError(_("CSV 文件格式有误：%(error)s"), error=str(exc)[:100]) from exc


def _clean_value(value):
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise _cell_too_long()
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unguard(text):
    """Undo the apostrophe our csv export puts before formula-like text."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def _suffix(name):
    return Path(name or "").suffix.lower()


def open_upload(upload, *, max_bytes=None, max_rows=None):
    """Check an uploaded file (Django UploadedFile or any object with name/read) and
    return a Sheet, or raise SpreadsheetError."""
    max_bytes = max_bytes or settings.DANGJIAN_IMPORT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    data = upload.read(max_bytes + 1)
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    return open_bytes(data, name=getattr(upload, "name", ""), content_type=content_type,
                      max_bytes=max_bytes, max_rows=max_rows)


def open_path(path, *, max_bytes=None, max_rows=None):
    """The command-line twin of open_upload."""
    max_bytes = max_bytes or settings.DANGJIAN_IMPORT_MAX_BYTES
    path = Path(path)
    if path.stat().st_size > max_bytes:
        raise _too_big(max_bytes)
    return open_bytes(path.read_bytes(), name=path.name, content_type="", max_bytes=max_bytes, max_rows=max_rows)


def _too_big(max_bytes):
    return SpreadsheetError(_("文件超过 %(size)s MB 的上限，请分批导入。"), size=round(max_bytes / 1024 / 1024, 1))


def open_bytes(data, *, name, content_type="", max_bytes=None, max_rows=None):
    max_bytes = max_bytes or settings.DANGJIAN_IMPORT_MAX_BYTES
    max_rows = settings.DANGJIAN_IMPORT_MAX_ROWS if max_rows is None else max_rows
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    suffix = _suffix(name)
    if suffix == ".xlsx":
        if content_type not in XLSX_TYPES:
            raise SpreadsheetError(_("文件类型（%(type)s）与 .xlsx 不符。"), type=content_type[:50])
        check_xlsx(data)
        return Sheet(kind="xlsx", data=data, max_rows=max_rows)
    if suffix == ".csv":
        if content_type not in CSV_TYPES:
            raise SpreadsheetError(_("文件类型（%(type)s）与 .csv 不符。"), type=content_type[:50])
        return Sheet(kind="csv", data=data, max_rows=max_rows, text=decode_csv(data))
    if suffix in (".xls", ".et", ".xlsm", ".xlsb", ".ods"):
        raise SpreadsheetError(_("不支持 %(suffix)s 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 .csv。"), suffix=suffix)
    raise SpreadsheetError(_("只能导入 .xlsx 或 .csv 文件。"))


def check_xlsx(data):
    """Refuse anything that is not a plain, reasonably sized xlsx zip."""
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("该文件不是有效的 xlsx 文件（可能是改了扩展名的其他文件）。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError(_("该文件不是有效的 xlsx 文件（压缩包已损坏）。")) from exc
    with archive:
        if len(entries) > ZIP_MAX_ENTRIES:
            raise SpreadsheetError(_("xlsx 文件内部条目过多，已拒绝。"))
        names = {info.filename for info in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise SpreadsheetError(_("该文件不是有效的 xlsx 文件（缺少工作簿）。"))
        total = 0
        limit = max_unzipped_bytes()
        for info in entries:
            if info.flag_bits & 0x1:
                raise SpreadsheetError(_("不支持加密的 xlsx 文件。"))
            total += info.file_size
            if total > limit:
                raise SpreadsheetError(_("xlsx 文件解压后过大（超过 %(size)s MB），已拒绝。"),
                                       size=limit // (1024 * 1024))
            if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                raise SpreadsheetError(_("xlsx 文件压缩比异常（疑似压缩炸弹），已拒绝。"))
        for info in entries:
            if info.filename.endswith((".xml", ".rels", ".vml")) and _has_doctype(archive, info):
                raise SpreadsheetError(_("xlsx 文件含有文档类型声明（DTD），已拒绝。"))


def _cell_too_long():
    return SpreadsheetError(_("文件中有单元格超过 %(n)s 个字的上限，已拒绝。"), n=MAX_CELL_CHARS)


# Starts at "<" so that the regex engine jumps between tags (a literal prefix) instead of
# trying every byte: a tag plus the text after it, longer than a cell may be.
_LONG_RUN = re.compile(rb"<[^<]{%d}" % MAX_CELL_BYTES)


def _count_rows_and_cells(buffer):
    """Row and cell (or shared string) tags, with or without a namespace prefix. bytes.count
    is far faster than a regex here, and a stray match only makes the cap stricter."""
    rows = buffer.count(b"<row") + buffer.count(b":row ")
    cells = buffer.count(b"<c ") + buffer.count(b":c ") + buffer.count(b"<c>") + buffer.count(b"<si>")
    return rows, cells


def scan_xlsx(data, *, max_rows):
    """Stream every sheet and the shared strings through fixed-size chunks, refusing a text
    run longer than a cell may be and more rows or cells than the import allows, so that
    the parser after it holds a bounded amount."""
    row_cap = (max_rows + 1 + BLANK_ROW_ALLOWANCE) if max_rows else None
    cell_cap = row_cap * MAX_COLUMNS if row_cap else None
    counts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if not _is_cell_part(name):
                continue
            if name == "xl/sharedStrings.xml" and info.file_size > MAX_SHARED_STRINGS_BYTES:
                # Every reader keeps the whole table in memory.
                raise SpreadsheetError(_("文件的共享字符串表超过 %(size)s MB，已拒绝；请分批导入。"),
                                       size=MAX_SHARED_STRINGS_BYTES // (1024 * 1024))
            rows = cells = 0
            carry = b""
            with archive.open(info) as stream:
                while True:
                    chunk = stream.read(SCAN_CHUNK)
                    if not chunk:
                        break
                    buffer = carry + chunk
                    cut = buffer.rfind(b">") + 1
                    complete, carry = buffer[:cut], buffer[cut:]
                    if len(carry) > MAX_CELL_BYTES or _LONG_RUN.search(complete) or (
                            not rows and complete.find(b"<") > MAX_CELL_BYTES):
                        raise _cell_too_long()
                    more_rows, more_cells = _count_rows_and_cells(complete)
                    rows += more_rows
                    cells += more_cells
                    if row_cap and rows > row_cap:
                        raise SpreadsheetError(_("文件超过 %(max)s 行数据的上限，请分批导入。"), max=max_rows)
                    if cell_cap and cells > cell_cap:
                        raise SpreadsheetError(_("文件的单元格数量超过上限，请分批导入。"))
            if name.startswith("xl/worksheets/"):
                counts[name] = rows
    return counts


def _has_doctype(archive, info):
    """Does this XML part declare a DTD before its root element (entity expansion risk)?"""
    tail = b""
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(64 * 1024)
                if not chunk:
                    return False
                if not tail and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    return True  # UTF-16 parts would hide a DTD from the byte scan
                buf = tail + chunk
                doctype = buf.find(b"<!DOCTYPE")
                root = _ROOT_ELEMENT.search(buf)
                if doctype != -1 and (root is None or doctype < root.start()):
                    return True
                if root is not None:
                    return False
                tail = buf[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise SpreadsheetError(_("该文件不是有效的 xlsx 文件（压缩包已损坏）。")) from exc


def decode_csv(data):
    head = data[:8192]
    if b"\x00" in head or data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("该文件不是 CSV 文本文件（可能是改了扩展名的其他文件）。"))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GB18030。"))
