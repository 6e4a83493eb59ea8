# Resource and Demand share an abstract base (CommunityEntry); only the related name's
# template is recorded, the tables do not change (sqlmigrate: no-op).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community_service', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='demand',
            name='community',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cs_%(class)ss', to='orgs.org', verbose_name='社区'),
        ),
        migrations.AlterField(
            model_name='resource',
            name='community',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cs_%(class)ss', to='orgs.org', verbose_name='社区'),
        ),
    ]
