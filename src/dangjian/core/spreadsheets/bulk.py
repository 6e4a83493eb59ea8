"""The bulk write under an import: rows of field values into one table, as fast as the
database takes them. On PostgreSQL one COPY per call (no model instances, no INSERT
statement to build); elsewhere Django's bulk_create. Each app's bulk service (e.g.
orgs.services.member_bulk_create) checks the rows and calls this inside its transaction."""

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
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return len(rows)
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
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        make = simple_values if simple else values
        for row in rows:
            copy.write_row(make(row))
    return len(rows)
