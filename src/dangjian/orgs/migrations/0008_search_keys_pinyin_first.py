"""Search keys now start with the full pinyin (core.text.search_key: '张三丰' ->
'zhangsanfeng 张三丰 zsf'), so ordering by the key orders names by pinyin
(core.text.PinyinOrder); recompute every area's, organisation's and member's key.
One pass per table in primary-key batches; a name repeats, so the key is cached."""

from django.db import migrations


def recompute(apps, schema_editor):
    from dangjian.core.text import search_key

    for model_name, fields, width in (("Area", ("name",), 200), ("Org", ("name", "short_name"), 400),
                                      ("Member", ("name",), 200)):
        model = apps.get_model("orgs", model_name)
        batch = []
        for row in model.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=5000):
            row.search_text = search_key(*(getattr(row, field) for field in fields))[:width]
            batch.append(row)
            if len(batch) >= 5000:
                model.objects.bulk_update(batch, ["search_text"], batch_size=1000)
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0007_post_person_holder"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
