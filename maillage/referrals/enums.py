from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    NOUVELLE = "nouvelle", _("Nouvelle")
    ACCEPTEE = "acceptee", _("Acceptée")
    EN_COURS = "en_cours", _("En cours")
    CLOTUREE = "cloturee", _("Clôturée")
    REFUSEE = "refusee", _("Refusée")
    REORIENTEE = "reorientee", _("Réorientée")
    ANNULEE = "annulee", _("Annulée par la personne")


class ReferralOutcome(models.TextChoices):
    RESOLUE = "resolue", _("résolue")
    NON_RESOLUE = "non_resolue", _("non résolue")


class ContactWay(models.TextChoices):
    COURRIEL = "courriel", _("Par e-mail")
    TELEPHONE = "telephone", _("Par téléphone")


class ReferralAction(models.TextChoices):
    """What moves a referral from one status to another (`workflow.TRANSITIONS`), and the
    other steps of its history (note, creation, reminder)."""

    ACCEPT = "accepter", _("Accepter")
    REFUSE = "refuser", _("Refuser")
    START = "demarrer", _("Démarrer l'accompagnement")
    CLOSE = "cloturer", _("Clôturer")
    REORIENT = "reorienter", _("Réorienter")
    CANCEL = "annuler", _("Annuler la demande")
    NOTE = "note", _("Note")
    CREATE = "creer", _("Création")
    REMIND = "relancer", _("Relance")
