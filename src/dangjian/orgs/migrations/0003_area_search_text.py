"""Areas get a search key (name, pinyin, initials) so the area picker finds them as the
org and member pickers find theirs."""

from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from dangjian.core.text import search_key

    Area = apps.get_model("orgs", "Area")
    keys = {}
    batch = []
    for area in Area.objects.only("pk", "name").order_by("pk").iterator(chunk_size=5000):
        if area.name not in keys:
            keys[area.name] = search_key(area.name)[:200]
        area.search_text = keys[area.name]
        batch.append(area)
        if len(batch) >= 5000:
            Area.objects.bulk_update(batch, ["search_text"], batch_size=1000)
            batch = []
    if batch:
        Area.objects.bulk_update(batch, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_path_collation_c"),
    ]

    operations = [
        migrations.AddField(
            model_name="area",
            name="search_text",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
