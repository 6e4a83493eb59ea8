"""Import jobs' org paths compare byte by byte on PostgreSQL, as every path column does."""

from django.db import migrations

import dangjian.core.fields
from dangjian.core.fields import path_collation_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0006_inbox")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importjob",
                    name="org_path",
                    field=dangjian.core.fields.PathField(blank=True, max_length=255),
                ),
            ],
            database_operations=[path_collation_migration("core_importjob", "org_path")],
        ),
    ]
