"""Search keys now keep digits and Latin letters in their pinyin and initials forms
(core.text.search_key: '1号楼' -> '1haolou 1hl'); recompute them for the areas and
organisations whose names hold any."""

from django.db import migrations


def _has_latin(*texts):
    return any(c.isascii() and c.isalnum() for text in texts for c in (text or ""))


def recompute(apps, schema_editor):
    from dangjian.core.text import search_key

    for model_name, fields, width in (("Area", ("name",), 200), ("Org", ("name", "short_name"), 400)):
        model = apps.get_model("orgs", model_name)
        batch = []
        for row in model.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=5000):
            values = [getattr(row, field) for field in fields]
            if _has_latin(*values):
                row.search_text = search_key(*values)[:width]
                batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["search_text"], batch_size=1000)
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0005_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
