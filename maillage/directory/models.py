from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import (
    Famille,
    ImportStatus,
    Placement,
    RevisionAction,
    SignalementStatus,
    SignalementTopic,
)
from .imports.progress_file import FileProgress, progress_read


class Categorie(models.Model):
    """A need/service category of the canonical taxonomy (codes are stable contracts)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    libelle = models.CharField(_("libellé"), max_length=200)
    famille = models.CharField(_("famille"), max_length=20, choices=Famille.choices)
    description = models.TextField(_("description"), blank=True)
    exemples = models.TextField(_("exemples"), blank=True)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["famille", "libelle"]

    def __str__(self) -> str:
        return self.libelle


class Source(models.Model):
    """A producer of records: a partner's file, a national dataset, a manual entry."""

    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    url = models.URLField(_("adresse"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Structure(models.Model):
    """The legal body behind one or more lieux."""

    nom = models.CharField(_("nom"), max_length=300)
    pivot = models.CharField(_("SIRET, SIREN ou RNA"), max_length=14, blank=True, db_index=True)
    typologie = models.JSONField(_("typologie"), default=list, blank=True)
    structure_parente = models.CharField(
        _("réseau ou structure parente"), max_length=300, blank=True
    )
    site_web = models.URLField(_("site internet"), max_length=500, blank=True)
    courriels = models.JSONField(_("courriels"), default=list, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Lieu(models.Model):
    """A place where a structure receives people (or the base of an itinerant service)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="lieux")
    nom = models.CharField(_("nom"), max_length=300)
    adresse = models.CharField(_("adresse"), max_length=300)
    complement_adresse = models.CharField(_("complément d'adresse"), max_length=300, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5)
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, related_name="lieux"
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    placement = models.CharField(
        _("origine de la position"), max_length=20, choices=Placement.choices
    )
    horaires = models.CharField(_("horaires (format OpenStreetMap)"), max_length=1000, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=40, blank=True)
    courriels = models.JSONField(_("courriels"), default=list, blank=True)
    sites_web = models.JSONField(_("sites internet"), default=list, blank=True)
    presentation_resume = models.TextField(_("présentation courte"), blank=True)
    presentation_detail = models.TextField(_("présentation détaillée"), blank=True)
    fiche_acces_libre = models.URLField(_("fiche Acceslibre"), max_length=500, blank=True)
    prise_rdv = models.URLField(_("prise de rendez-vous"), max_length=500, blank=True)
    itinerant = models.BooleanField(_("itinérant"), default=False)
    modalites_acces = models.JSONField(_("modalités d'accès"), default=list, blank=True)
    prise_en_charge = models.JSONField(_("prises en charge spécifiques"), default=list, blank=True)
    dispositifs = models.JSONField(
        _("dispositifs et programmes nationaux"), default=list, blank=True
    )
    formations_labels = models.JSONField(_("formations et labels"), default=list, blank=True)
    date_maj = models.DateField(_("mise à jour par la source"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["nom"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_lieu_position")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.commune.nom})"


class Service(models.Model):
    """What a structure offers at its lieux: categories, publics, modalities, fees."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="services")
    nom = models.CharField(_("nom"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(Categorie, related_name="services", blank=True)
    publics = models.JSONField(_("publics spécifiquement adressés"), default=list, blank=True)
    modalites = models.JSONField(_("modalités"), default=list, blank=True)
    modalites_accompagnement = models.JSONField(
        _("modalités d'accompagnement"), default=list, blank=True
    )
    frais = models.JSONField(_("frais"), default=list, blank=True)
    lieux = models.ManyToManyField(Lieu, related_name="services", blank=True)
    communes_desservies = models.ManyToManyField(
        "territories.Commune", related_name="services_desservants", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class SourceRecord(models.Model):
    """One record of a source and the lieu it became: upsert key, provenance, freshness."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records")
    identifiant = models.CharField(_("identifiant dans la source"), max_length=300)
    lieu = models.ForeignKey(Lieu, on_delete=models.CASCADE, related_name="source_records")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, related_name="source_records"
    )
    fingerprint = models.TextField(editable=False)
    date_maj = models.DateField(_("mise à jour par la source"))
    first_seen = models.DateTimeField(_("vu la première fois"), auto_now_add=True)
    last_changed = models.DateTimeField(_("modifié le"), auto_now_add=True)

    class Meta:
        verbose_name = _("enregistrement source")
        verbose_name_plural = _("enregistrements source")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identifiant"], name="directory_sourcerecord_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.identifiant}"


class ImportRun(models.Model):
    """One import of a file: its figures and its row-level report."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="imports")
    fichier = models.CharField(_("fichier"), max_length=500)
    status = models.CharField(_("état"), max_length=20, choices=ImportStatus.choices)
    started_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    counts = models.JSONField(_("effectifs"), default=dict)
    rapport = models.JSONField(_("rapport ligne à ligne"), default=list)
    modifications = models.JSONField(_("modifications"), default=list)
    message = models.TextField(_("message"), blank=True)
    # Progress of a background import, read by the page that follows it.
    progress_done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    progress_total = models.PositiveIntegerField(_("lignes à traiter"), default=0)
    # Last sign of life of a running import (start, progress): a run silent for longer than
    # MAILLAGE_IMPORT_STALE_MINUTES lost its worker.
    progress_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    # An uploaded file waits here for the worker (app servers share no disk); emptied once read.
    donnees = models.BinaryField(_("fichier déposé"), null=True, blank=True, editable=False)
    mapping = models.ForeignKey(
        "ColumnMapping",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("correspondance de colonnes"),
    )
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lancé par"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} — {self.fichier}"

    def file_progress(self) -> FileProgress | None:
        """The worker's progress file (SQLite) when the run is "en cours" and the file is
        newer than the figures in the database; None otherwise."""
        if self.status != ImportStatus.RUNNING or self.pk is None:
            return None
        found = progress_read(self.pk)
        if found is None:
            return None
        last = self.progress_at or self.started_at
        if last is not None and found.at <= last:
            return None
        return found

    @property
    def is_stale(self) -> bool:
        """Running, but silent for too long: its worker was killed (or the machine stopped).
        The last sign of life is the newer of `progress_at` and the progress file."""
        if self.status != ImportStatus.RUNNING:
            return False
        live = self.file_progress()
        last = live.at if live is not None else (self.progress_at or self.started_at)
        delay = timedelta(minutes=settings.MAILLAGE_IMPORT_STALE_MINUTES)
        return last is not None and timezone.now() - last > delay

    @property
    def status_label(self) -> str:
        if self.is_stale:
            return str(ImportStatus.INTERRUPTED.label)
        return str(self.get_status_display())


class DuplicateCandidate(models.Model):
    """Two lieux from different sources that may be the same place, awaiting a decision."""

    class Status(models.TextChoices):
        PENDING = "a_verifier", _("À vérifier")
        MERGED = "fusionne", _("Fusionnés")
        SEPARATE = "distincts", _("Distincts")

    lieu = models.ForeignKey(Lieu, on_delete=models.CASCADE, related_name="+")
    autre = models.ForeignKey(Lieu, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("doublon possible")
        verbose_name_plural = _("doublons possibles")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["lieu", "autre"], name="directory_duplicate_pair")
        ]

    def __str__(self) -> str:
        return f"{self.lieu_id} ≟ {self.autre_id} ({self.score:.2f})"


class ColumnMapping(models.Model):
    """How one producer's raw files map onto the lieux standard: saved once, reused.

    `colonnes` maps a field of the national standard (``nom``, ``adresse``, ``code_postal``,
    ``services``…) to the producer's column (a dotted path inside JSON records);
    `valeurs` translates the producer's values per field (``{"services": {"Atelier": "..."}}``);
    `options` holds reading options (separator, encoding, sheet, records path, multi-value
    separator).
    """

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, related_name="column_mapping", verbose_name=_("source")
    )
    colonnes = models.JSONField(_("colonnes"), default=dict, blank=True)
    valeurs = models.JSONField(_("valeurs"), default=dict, blank=True)
    options = models.JSONField(_("options de lecture"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("correspondance de colonnes")
        verbose_name_plural = _("correspondances de colonnes")

    def __str__(self) -> str:
        return str(self.source)


class Signalement(models.Model):
    """An error reported on a lieu by anyone; the structure and the administrators close it."""

    lieu = models.ForeignKey(
        Lieu, on_delete=models.CASCADE, related_name="signalements", verbose_name=_("lieu")
    )
    sujet = models.CharField(_("sujet"), max_length=20, choices=SignalementTopic.choices)
    message = models.TextField(_("message"), max_length=2000)
    # Optional, only to tell the reporter the outcome; purged with other personal data.
    courriel = models.EmailField(_("courriel pour être prévenu"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=SignalementStatus.choices,
        default=SignalementStatus.OPEN,
    )
    reponse = models.TextField(_("réponse"), blank=True)
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="directory_signal_status")]

    def __str__(self) -> str:
        return f"{self.get_sujet_display()} — {self.lieu_id}"


class Revision(models.Model):
    """One change to a directory object, by a person or an import: the history."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    objet = models.CharField(_("objet"), max_length=300)
    action = models.CharField(_("action"), max_length=20, choices=RevisionAction.choices)
    # {field: [before, after]} with JSON-serialisable values.
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("révision")
        verbose_name_plural = _("historique")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="directory_revision_object")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.objet}"
