from django.db import models
from django.utils.translation import gettext_lazy as _


class Profil(models.TextChoices):
    PARTICULIER = "particulier", _("Particulier")
    ENTREPRISE = "entreprise", _("Entreprise")
    ASSOCIATION = "association", _("Association")
    COLLECTIVITE = "collectivite", _("Collectivité")
    PORTEUR_DE_PROJET = "porteur_de_projet", _("Porteur de projet")
    PROFESSIONNEL = "professionnel", _("Professionnel (aidant, conseiller)")


class LexiconKind(models.TextChoices):
    SYNONYME = "synonyme", _("Synonyme (mot ou courte expression)")
    EXEMPLE = "exemple", _("Exemple de besoin (phrase)")


class DemandChannel(models.TextChoices):
    """Where an orientation request came from, for the demand statistics."""

    API = "api", _("API")
    WEB = "web", _("Parcours web")
    CLI = "cli", _("Ligne de commande")
