"""Tree paths compare byte by byte on PostgreSQL whatever the database's collation."""

from django.db import migrations

import dangjian.core.fields
from dangjian.core.fields import path_collation_migration


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="path",
                    field=dangjian.core.fields.PathField(max_length=255, unique=True),
                )
                for model in ("area", "org")
            ],
            database_operations=[
                path_collation_migration("orgs_area", "path"),
                path_collation_migration("orgs_org", "path"),
            ],
        ),
    ]
