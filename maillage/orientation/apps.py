from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "maillage.orientation"
    label = "orientation"
    verbose_name = "Orientation"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - the lexicon cache invalidation
