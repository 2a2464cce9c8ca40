from django.db import migrations, models


def copy_actor(apps, schema_editor):
    """Entries written so far keep their hash: it covered the actor's id, now read from `actor_ref`."""
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditEntry.objects.filter(actor__isnull=False).update(actor_ref=models.F("actor_id"))


class Migration(migrations.Migration):
    dependencies = [("core", "0003_city_domain_verification")]

    operations = [
        migrations.AddField(model_name="auditentry", name="actor_ref",
                            field=models.PositiveBigIntegerField(blank=True, null=True)),
        migrations.RunPython(copy_actor, migrations.RunPython.noop),
    ]
