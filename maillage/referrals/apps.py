from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "maillage.referrals"
    label = "referrals"
    verbose_name = "Mises en relation"

    def ready(self) -> None:
        # Registers the retention step of the mises en relation with `purge_personal_data`.
        from . import services  # noqa: F401
