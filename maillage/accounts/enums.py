from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TERRITORY_ADMIN = "administrateur_territorial", _("Administrateur territorial")
    STRUCTURE_MANAGER = "gestionnaire_structure", _("Gestionnaire de structure")
    ADVISER = "conseiller", _("Conseiller")
