"""Indicators per commune, kept as dated snapshots so their evolution can be read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import IndicateurOrigine, RecomputeStatus


class Indicateur(models.Model):
    """One measure per commune: computed by Maillage or imported from a CSV file."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    libelle = models.CharField(_("libellé"), max_length=300)
    unite = models.CharField(_("unité"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    date = models.DateField(_("date des dernières valeurs"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    origine = models.CharField(_("origine"), max_length=10, choices=IndicateurOrigine.choices)
    # Median over all communes of the values at `date`, stored when they are written so the
    # commune API need not read 35,000 values to compare one commune with the country.
    mediane_nationale = models.FloatField(_("médiane nationale"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.libelle


class ValeurIndicateur(models.Model):
    """An indicator's value for one commune at one date (one snapshot per date)."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="valeurs")
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.CASCADE, related_name="valeurs_indicateurs"
    )
    valeur = models.FloatField(_("valeur"))
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "commune", "date"], name="observatory_valeur_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["commune", "indicateur", "date"], name="observatory_valeur_commune"
            ),
            # The snapshots of one indicator (dates, thinning) without reading its values.
            models.Index(fields=["indicateur", "date"], name="observatory_valeur_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicateur.code} {self.commune_id} {self.date}: {self.valeur}"


class RecomputeRun(models.Model):
    """One run of `services.indicators_recompute`, and the lock that keeps runs apart.

    At most one row is `en_cours` (a partial unique constraint, enforced by SQLite and
    PostgreSQL alike): a second run cannot start while the first is writing. A run left
    `en_cours` longer than OBSERVATORY_RECOMPUTE_STALE_S is taken for crashed and set
    `abandonne`, which frees the lock.
    """

    jour = models.DateField(_("date des valeurs"))
    statut = models.CharField(
        _("statut"),
        max_length=10,
        choices=RecomputeStatus.choices,
        default=RecomputeStatus.EN_COURS,
    )
    debut = models.DateTimeField(_("début"))
    fin = models.DateTimeField(_("fin"), null=True, blank=True)
    resultat = models.JSONField(_("résultat"), default=dict, blank=True)

    class Meta:
        verbose_name = _("calcul des indicateurs")
        verbose_name_plural = _("calculs des indicateurs")
        ordering = ["-debut"]
        constraints = [
            models.UniqueConstraint(
                fields=["statut"],
                condition=models.Q(statut="en_cours"),
                name="observatory_one_recompute_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jour} {self.statut} ({self.debut:%H:%M:%S})"
