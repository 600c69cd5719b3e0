from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "maillage.orientation"
    label = "orientation"
    verbose_name = "Orientation"

    def ready(self) -> None:
        # Registers the retention step of the mises en relation with `purge_personal_data`.
        from . import (
            referrals,  # noqa: F401
            signals,  # noqa: F401
        )
