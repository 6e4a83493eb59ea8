"""Spreadsheet input and output shared by every import and export.

Reading accepts only .xlsx (openpyxl, read-only, cached values) and .csv (UTF-8 with or
without BOM, else GB18030, which is what Excel on Chinese Windows writes). An upload is
checked before any parser sees it: its size, its extension and declared type, its first
bytes, and for xlsx the zip directory (entry count, total uncompressed size, compression
ratio, no DTD in any XML part), so a zip bomb or a renamed file is refused cheaply.
zipfile never inflates more than an entry's declared size, so checking the declared
sizes bounds what openpyxl can decompress.

Writing guards against formula injection: a text cell that starts with = + - @, a tab or
a carriage return is written in csv with a leading apostrophe, and in xlsx as an explicit
string cell with the quote prefix set, so no spreadsheet program evaluates it.
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
from django.utils.translation import gettext as _

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
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


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

    def rows(self):
        """Yield (spreadsheet row number, tuple of values) for every non-blank row.

        Raises SpreadsheetError once more than `max_rows` + 1 (the header) rows appear.
        """
        source = self._xlsx_rows() if self.kind == "xlsx" else self._csv_rows()
        seen = 0
        for number, values in source:
            values = tuple(_clean_value(v) for v in values)
            if all(v in (None, "") for v in values):
                continue
            seen += 1
            if self.max_rows and seen > self.max_rows + 1:
                raise SpreadsheetError(_("文件超过 %(max)s 行数据的上限，请分批导入。") % {"max": self.max_rows})
            yield number, values

    def _xlsx_rows(self):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SpreadsheetError(_("无法读取该 xlsx 文件，请用 Excel 或 WPS 重新另存为 .xlsx。")) from exc
        try:
            sheet = book.worksheets[0] if book.worksheets else None
            if sheet is None:
                raise SpreadsheetError(_("文件中没有工作表。"))
            # Rows missing from the XML are filled in by openpyxl; cap the physical rows
            # so a sheet that names row 1,048,576 costs nothing.
            cap = (self.max_rows + 1 + BLANK_ROW_ALLOWANCE) if self.max_rows else None
            try:
                for number, values in enumerate(
                    sheet.iter_rows(max_col=MAX_COLUMNS, max_row=cap + 1 if cap else None, values_only=True),
                    start=1,
                ):
                    if cap and number > cap:
                        raise SpreadsheetError(
                            _("文件超过 %(max)s 行数据的上限，请分批导入。") % {"max": self.max_rows})
                    end = len(values)
                    while end and values[end - 1] is None:  # openpyxl pads every row to max_col
                        end -= 1
                    yield number, values[:end]
            except SpreadsheetError:
                raise
            except Exception as exc:
                raise SpreadsheetError(_("无法读取该 xlsx 文件，请用 Excel 或 WPS 重新另存为 .xlsx。")) from exc
        finally:
            book.close()

    def _csv_rows(self):
        csv.field_size_limit(1024 * 1024)
        reader = csv.reader(io.StringIO(self.text, newline=""))
        try:
            for number, values in enumerate(reader, start=1):
                yield number, tuple(_unguard(v) for v in values[:MAX_COLUMNS])
        except csv.Error as exc:
            raise SpreadsheetError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def _clean_value(value):
    if isinstance(value, str):
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
        raise SpreadsheetError(_too_big(max_bytes))
    data = upload.read(max_bytes + 1)
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    return open_bytes(data, name=getattr(upload, "name", ""), content_type=content_type,
                      max_bytes=max_bytes, max_rows=max_rows)


def open_path(path, *, max_bytes=None, max_rows=None):
    """The command-line twin of open_upload."""
    max_bytes = max_bytes or settings.DANGJIAN_IMPORT_MAX_BYTES
    path = Path(path)
    if path.stat().st_size > max_bytes:
        raise SpreadsheetError(_too_big(max_bytes))
    return open_bytes(path.read_bytes(), name=path.name, content_type="", max_bytes=max_bytes, max_rows=max_rows)


def _too_big(max_bytes):
    return _("文件超过 %(size)s MB 的上限，请分批导入。") % {"size": round(max_bytes / 1024 / 1024, 1)}


def open_bytes(data, *, name, content_type="", max_bytes=None, max_rows=None):
    max_bytes = max_bytes or settings.DANGJIAN_IMPORT_MAX_BYTES
    max_rows = settings.DANGJIAN_IMPORT_MAX_ROWS if max_rows is None else max_rows
    if len(data) > max_bytes:
        raise SpreadsheetError(_too_big(max_bytes))
    suffix = _suffix(name)
    if suffix == ".xlsx":
        if content_type not in XLSX_TYPES:
            raise SpreadsheetError(_("文件类型（%(type)s）与 .xlsx 不符。") % {"type": content_type})
        check_xlsx(data)
        return Sheet(kind="xlsx", data=data, max_rows=max_rows)
    if suffix == ".csv":
        if content_type not in CSV_TYPES:
            raise SpreadsheetError(_("文件类型（%(type)s）与 .csv 不符。") % {"type": content_type})
        return Sheet(kind="csv", data=data, max_rows=max_rows, text=decode_csv(data))
    if suffix in (".xls", ".et", ".xlsm", ".xlsb", ".ods"):
        raise SpreadsheetError(_("不支持 %(suffix)s 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 .csv。") % {"suffix": suffix})
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
                raise SpreadsheetError(_("xlsx 文件解压后过大（超过 %(size)s MB），已拒绝。") % {
                    "size": limit // (1024 * 1024)})
            if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                raise SpreadsheetError(_("xlsx 文件压缩比异常（疑似压缩炸弹），已拒绝。"))
        for info in entries:
            if info.filename.endswith((".xml", ".rels", ".vml")) and _has_doctype(archive, info):
                raise SpreadsheetError(_("xlsx 文件含有文档类型声明（DTD），已拒绝。"))


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


# Writing -----------------------------------------------------------------------------

def needs_guard(value):
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_value(value):
    if value is None:
        return ""
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

