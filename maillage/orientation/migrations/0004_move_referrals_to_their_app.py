"""The mises en relation moved to their own app (`referrals.0001`): removed from this app's
state only. Their tables stay, with their rows, and now belong to the referrals app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orientation", "0003_add_orientation_demand"),
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="referralevent",
                    name="referral",
                ),
                migrations.RemoveField(
                    model_name="referralevent",
                    name="author",
                ),
                migrations.DeleteModel(
                    name="Referral",
                ),
                migrations.DeleteModel(
                    name="ReferralEvent",
                ),
            ],
            database_operations=[],
        ),
    ]
