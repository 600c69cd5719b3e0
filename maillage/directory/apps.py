from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        # Registers the retention step of signalements with `purge_personal_data`.
        from .services import signalements  # noqa: F401
