from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicateurOrigine(models.TextChoices):
    """Whether Maillage computes an indicator from its own data or loads it from a file."""

    CALCULE = "calcule", _("calculé par Maillage")
    IMPORTE = "importe", _("importé d'un fichier")


class RecomputeStatus(models.TextChoices):
    """The life of one run of the indicator recompute."""

    EN_COURS = "en_cours", _("en cours")
    TERMINE = "termine", _("terminé")
    ECHEC = "echec", _("échec")
    ABANDONNE = "abandonne", _("abandonné (délai dépassé)")
