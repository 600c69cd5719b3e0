from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from .sections import MODULE


class TerritoriesConfig(AppConfig):
    name = "maillage.territories"
    label = "territories"
    verbose_name = "Territoires"

    def ready(self) -> None:
        # Apps above territories contribute sections of the commune page (sections.py).
        autodiscover_modules(MODULE)
