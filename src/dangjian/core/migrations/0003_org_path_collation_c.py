"""Audit entries' org paths compare byte by byte on PostgreSQL, as the tree paths do."""

from django.db import migrations

import dangjian.core.fields
from dangjian.core.fields import path_collation_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="org_path",
                    field=dangjian.core.fields.PathField(blank=True, db_index=True, max_length=255),
                ),
            ],
            database_operations=[path_collation_migration("core_auditentry", "org_path")],
        ),
    ]
