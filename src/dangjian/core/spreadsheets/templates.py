"""Import templates for free: from a module's columns, an xlsx with the header row, a
drop-down for each choice column, text format where digits must stay text (ID numbers,
phones, codes), and a second sheet 说明 that describes every column."""

import tempfile


def template_workbook(columns, title, *, text_keys=()):
    """An empty import file for these columns, as a temporary binary file at position 0."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = [column for column in columns if not column.read_only]
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = bold
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.example) * 1.6))
        if column.kind == "choice":
            validation = DataValidation(type="list", formula1='"' + ",".join(column.labels()) + '"',
                                        allow_blank=not column.required)
            validation.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(validation)
        if column.kind == "id_number" or column.key in text_keys:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append(["列名", "英文代码", "含义", "格式", "必填", "允许值", "示例"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append([column.label, column.key, column.meaning, column.fmt, "是" if column.required else "否",
                      column.allowed(), column.example])
    for letter, width in zip("ABCDEFG", (14, 16, 30, 50, 6, 50, 40)):
        notes.column_dimensions[letter].width = width
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle
