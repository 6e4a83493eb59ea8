"""The seeded free-form duty (印发年度党建工作要点, yearly, for local committees: article
002, "市委每年印发党建工作要点"), fulfilled by a fulfilment record. Existing rules are kept;
the rule is added only where a rule of that title does not exist."""

from django.db import migrations


def install(apps, schema_editor):
    from dangjian.duties.defaults import install as install_defaults

    install_defaults(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("duties", "0002_files_post_duties_fulfilment"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
