"""Model fields shared by every app."""

from django.db import models


class PathField(models.CharField):
    """A materialised path (or a copy of one) that compares byte by byte.

    Subtree queries are path ranges (`core.tree.subtree_q`), and a range means the same
    thing in Python and in SQL only if the column sorts as Python sorts strings. SQLite's
    default BINARY collation already does; on PostgreSQL the column is declared
    `COLLATE "C"`, so a database created with an ICU or glibc locale (zh-Hans-CN,
    zh_CN.UTF-8) cannot reorder digits, letters and punctuation under our feet.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def path_collation_migration(table, column, max_length=255):
    """A RunPython operation that gives an existing path column its bytewise collation.

    Only PostgreSQL needs a change; the state side is a plain AlterField to PathField.
    Running Django's AlterField on SQLite would rebuild the table (and drop its
    triggers) for no change at all, so migrations pair this with the AlterField inside
    SeparateDatabaseAndState.
    """
    from django.db import migrations

    def alter(collation):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor != "postgresql":
                return
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} "
                f"TYPE varchar({int(max_length)}) COLLATE {quote(collation)}"
            )

        return run

    return migrations.RunPython(alter("C"), alter("default"), elidable=False)
