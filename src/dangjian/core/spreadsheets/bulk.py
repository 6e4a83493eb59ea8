"""The bulk write under an import: rows of field values into one table, as fast as the
database takes them. On PostgreSQL COPY (no model instances, no INSERT statement to
build); elsewhere Django's bulk_create. Each app's bulk service (e.g.
orgs.services.member_writer) checks the rows and calls this inside its transaction."""

from django.db import connection
from django.utils import timezone

# Field types whose Python values psycopg writes as they are; others go through Django.
_PLAIN = {"CharField", "TextField", "DateField", "DateTimeField", "IntegerField", "PositiveIntegerField",
          "PositiveSmallIntegerField", "SmallIntegerField", "BigIntegerField", "BooleanField", "ForeignKey",
          "OneToOneField", "DecimalField", "FloatField"}


def insert_rows(model, rows):
    """Insert `rows` (dicts of field name -> value; a foreign key as an instance or its id
    under the field's attname); missing fields take their defaults, auto_now fields the
    current time. Returns the number of rows."""
    if not rows:
        return 0
    with RowWriter(model) as writer:
        writer.write(rows)
    return len(rows)


class RowWriter:
    """Rows into one table as they come, for a caller that checks them on the way (an
    import). On PostgreSQL one COPY stays open for the whole write, so the server inserts
    the rows and maintains the indexes while the caller checks the next ones; a COPY per
    batch would make each side wait for the other. Elsewhere bulk_create per call.

    Errors the server finds (a unique index, a check) surface from `write` or when the
    block ends, as Django's IntegrityError, like any other query's.

    `bulk_load=True` (PostgreSQL; for a load that is most of the table, such as a city's
    whole registry) follows PostgreSQL's advice for populating a database: the table's
    foreign keys and its GIN/GiST indexes are dropped for the load and made again at the
    end, in the same transaction, which checks every row in one pass instead of one
    look-up per row and builds each index at once. Unique and other B-tree indexes stay,
    so a duplicate is still refused. The table is locked, reads included, until the
    transaction ends: not for everyday imports.

    The connection cannot run another query while the COPY is open (it would wait for the
    COPY forever): a query through Django meanwhile raises an error instead. A caller whose
    checks may query as they go passes `stream=False`: then each `write` is a COPY of its own.
    """

    def __init__(self, model, *, bulk_load=False, stream=True):
        self.model = model
        self.bulk_load = bulk_load
        self.stream = stream
        self._copy = self._cursor = self._copy_block = None
        self._make = None
        self._restore = []
        self._ended = False

    def __enter__(self):
        if connection.vendor == "postgresql":
            if self.bulk_load:
                self._restore = _drop_for_load(self.model._meta.db_table)
            self._make, self._columns = _row_maker(self.model)
            if self.stream:
                self._open()
        return self

    def _open(self):
        table = connection.ops.quote_name(self.model._meta.db_table)
        self._cursor = connection.cursor()
        self._copy_block = self._cursor.copy(f"COPY {table} ({self._columns}) FROM STDIN")
        with connection.wrap_database_errors:
            self._copy = self._copy_block.__enter__()
        self._guard = connection.execute_wrapper(_no_query_during_copy)
        self._guard.__enter__()

    def write(self, rows):
        if self._ended:
            raise RuntimeError("the writer has ended")
        if self._make is None:
            self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=1000)
            return
        if not self.stream:
            self._open()
        make, write_row = self._make, self._copy.write_row
        with connection.wrap_database_errors:
            for row in rows:
                write_row(make(row))
        if not self.stream:
            self._close(None, None, None, restore=False)

    def abandon(self):
        """End the write early, for a caller that will roll the transaction back (an import
        that found a problem and goes on checking): the COPY ends, so the connection can
        take queries again, and what bulk-load mode dropped is not made again."""
        self._restore = []
        self._close(None, None, None, restore=False)
        self._ended = True

    def __exit__(self, kind, error, trace):
        self._close(kind, error, trace, restore=kind is None)
        return False

    def _close(self, kind, error, trace, *, restore):
        if self._copy is not None:
            self._guard.__exit__(None, None, None)
            try:
                with connection.wrap_database_errors:
                    self._copy_block.__exit__(kind, error, trace)
            finally:
                self._cursor.close()
                self._copy = None
        if restore and self._restore:
            with connection.cursor() as cursor:
                for statement in self._restore:
                    cursor.execute(statement)
            self._restore = []


def _no_query_during_copy(execute, sql, params, many, context):
    raise RuntimeError("a query while a COPY is open on the same connection would wait for ever; "
                       "run it before the write starts, or use RowWriter(stream=False)")


def _drop_for_load(table):
    """Drop a table's foreign keys and GIN/GiST indexes; returns the statements that make
    them again (from the catalog's own definitions, so nothing is restated by hand)."""
    with connection.cursor() as cursor:
        # Deferred checks still queued from earlier writes in this transaction would stop
        # the ALTER TABLE; run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("""
            SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
            WHERE c.conrelid = %s::regclass AND c.contype = 'f' ORDER BY c.conname""", [table])
        keys = cursor.fetchall()
        cursor.execute("""
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
            WHERE x.indrelid = %s::regclass AND a.amname IN ('gin', 'gist') ORDER BY i.relname""", [table])
        indexes = cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return ([definition for _name, definition in indexes]
            + [f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
               for name, definition in keys])


def _row_maker(model):
    """(function turning a row dict into the COPY values in column order, column list)."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = []
    for field in fields:
        fixed = None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed = now
        elif field.has_default():
            fixed = field.get_default()
        plain = field.get_internal_type() in _PLAIN
        plan.append((field.name, field.attname, field.is_relation, fixed, None if plain else field))

    simple = all(convert is None for *_rest, convert in plan)
    relations = [i for i, (_name, _attname, relation, _fixed, _convert) in enumerate(plan) if relation]

    def simple_values(row):
        # Every field written as it is (the member table): one comprehension per row.
        out = [row[name] if name in row else row.get(attname, fixed) for name, attname, _r, fixed, _c in plan]
        for i in relations:
            value = out[i]
            if value is not None and not isinstance(value, int):
                out[i] = value.pk
        return out

    def values(row):
        out = []
        for name, attname, relation, fixed, convert in plan:
            if name in row:
                value = row[name]
                if relation and value is not None:
                    value = value.pk
            else:
                value = row.get(attname, fixed)
            out.append(convert.get_db_prep_save(value, connection) if convert is not None else value)
        return out

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return (simple_values if simple else values), columns
