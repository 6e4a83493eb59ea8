"""The member list is ordered by pinyin (core.text.PinyinOrder: `search_text`, bytewise).
An index in that order lets a page of a district's members walk the index instead of
sorting the district: on nantong's PostgreSQL, 91,194 members of one district, the first
page's query goes from ~250 ms to ~3 ms. PostgreSQL needs the expression's collation "C"
in the index, as PinyinOrder writes it; SQLite's default collation is already bytewise."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS member_pinyin_order_idx ON orgs_member ((search_text COLLATE "C"), id)')
    else:
        schema_editor.execute("CREATE INDEX IF NOT EXISTS member_pinyin_order_idx ON orgs_member (search_text, id)")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS member_pinyin_order_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0008_search_keys_pinyin_first"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
