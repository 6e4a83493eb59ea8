"""The six "党建+" programme domains of Xuzhou (六位一体), present in every database."""

from django.db import migrations

DOMAINS = [
    ("central_city", "中心城市建设", "党建+中心城市建设"),
    ("efficiency", "效能建设", "党建+效能建设"),
    ("rural_prosperity", "强村富民", "党建+强村富民"),
    ("grassroots_governance", "基层治理", "党建+基层治理"),
    ("civilisation", "文明实践", "党建+新时代文明实践"),
    ("ecology", "生态环保", "党建+生态环保"),
]


def add_domains(apps, schema_editor):
    ProgrammeDomain = apps.get_model("lists", "ProgrammeDomain")
    for position, (code, name, description) in enumerate(DOMAINS, start=1):
        ProgrammeDomain.objects.update_or_create(code=code, defaults={"name": name, "description": description,
                                                                      "position": position})


def remove_domains(apps, schema_editor):
    apps.get_model("lists", "ProgrammeDomain").objects.filter(code__in=[d[0] for d in DOMAINS]).delete()


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_initial")]
    operations = [migrations.RunPython(add_domains, remove_domains)]
