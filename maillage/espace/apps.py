from django.apps import AppConfig


class EspaceConfig(AppConfig):
    """The management space's shell: its home (`espace:home`, /espace/), composed from the
    apps' parts. A composition root: it imports the apps, none imports it."""

    name = "maillage.espace"
    label = "espace"
    verbose_name = "Espace de gestion"
