from django.db import migrations, models


class Migration(migrations.Migration):
    """A gateway's transaction id is unique per city and gateway, not across the installation. Callbacks
    recorded before gateways were per city came from the installation-wide gateways; they keep the
    gateway name "earlier"."""

    dependencies = [
        ("permits", "0003_drop_unused_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentcallback",
            name="gateway",
            field=models.CharField(default="earlier", max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="paymentcallback",
            name="transaction_id",
            field=models.CharField(max_length=80),
        ),
        migrations.AddConstraint(
            model_name="paymentcallback",
            constraint=models.UniqueConstraint(fields=("city", "gateway", "transaction_id"),
                                               name="payment_callback_unique"),
        ),
    ]
