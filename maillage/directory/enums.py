from django.db import models
from django.utils.translation import gettext_lazy as _


class Famille(models.TextChoices):
    INCLUSION = "inclusion", _("Inclusion numérique")
    ENTREPRISE = "entreprise", _("Entreprises")
    COLLECTIVITE = "collectivite", _("Collectivités")


class Modalite(models.TextChoices):
    PRESENTIEL = "presentiel", _("Présentiel")
    A_DISTANCE = "a_distance", _("À distance")
    A_DOMICILE = "a_domicile", _("À domicile")
    ITINERANT = "itinerant", _("Itinérant")


class Frais(models.TextChoices):
    GRATUIT = "gratuit", _("Gratuit")
    SOUS_CONDITIONS = "sous_conditions", _("Gratuit sous conditions")
    PAYANT = "payant", _("Payant")


class Placement(models.TextChoices):
    """Where a lieu's point comes from."""

    SOURCE = "source", _("Coordonnées de la source")
    SWAPPED = "inversees", _("Latitude et longitude inversées dans la source, corrigées")
    MAIRIE = "mairie", _("Approximatif : mairie de la commune")


class ImportStatus(models.TextChoices):
    PENDING = "en_attente", _("En attente")
    RUNNING = "en_cours", _("En cours")
    DONE = "termine", _("Terminé")
    FAILED = "echec", _("Échec")
    # Stuck "en cours" past MAILLAGE_IMPORT_STALE_MINUTES (worker killed) and then relaunched.
    INTERRUPTED = "interrompu", _("Interrompu")


class SignalementStatus(models.TextChoices):
    OPEN = "ouvert", _("Ouvert")
    FIXED = "corrige", _("Corrigé")
    REJECTED = "rejete", _("Sans suite")


class SignalementTopic(models.TextChoices):
    CLOSED = "ferme", _("Le lieu a fermé ou déménagé")
    ADDRESS = "adresse", _("Adresse ou position sur la carte")
    HOURS = "horaires", _("Horaires d'ouverture")
    CONTACT = "contacts", _("Téléphone, courriel ou site internet")
    SERVICES = "services", _("Services proposés")
    OTHER = "autre", _("Autre chose")


class RevisionAction(models.TextChoices):
    CREATE = "creation", _("Création")
    UPDATE = "modification", _("Modification")
    DELETE = "suppression", _("Suppression")
    MERGE = "fusion", _("Fusion de doublons")
    SEPARATE = "separation", _("Doublons séparés")
    IMPORT = "import", _("Import")
