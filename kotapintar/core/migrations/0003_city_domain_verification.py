import secrets

import django.utils.timezone
from django.db import migrations, models


def give_tokens(apps, schema_editor):
    """Domains claimed before verification existed become pending claims with their own token: the
    city proves control once (see the admin guide, "Domain verification")."""
    CityDomain = apps.get_model("core", "CityDomain")
    for item in CityDomain.objects.all():
        item.token = secrets.token_urlsafe(24)
        item.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_geo")]

    operations = [
        migrations.AlterField(model_name="citydomain", name="domain", field=models.CharField(max_length=253)),
        migrations.AddField(model_name="citydomain", name="token", field=models.CharField(default="", max_length=64),
                            preserve_default=False),
        migrations.AddField(model_name="citydomain", name="created_at",
                            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
                            preserve_default=False),
        migrations.AddField(model_name="citydomain", name="verified_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AlterModelOptions(name="citydomain", options={"ordering": ["domain"]}),
        migrations.AddConstraint(model_name="citydomain", constraint=models.UniqueConstraint(
            fields=("city", "domain"), name="city_domain_unique_claim")),
        migrations.AddConstraint(model_name="citydomain", constraint=models.UniqueConstraint(
            condition=models.Q(verified_at__isnull=False), fields=("domain",), name="city_domain_unique_verified")),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
    ]
