from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DemandChannel, LexiconKind, Profil


class LexiconEntry(models.Model):
    """A synonym or an example phrase that points to a category, added by an administrator.

    The engine reads these on top of the taxonomy and the lexicon shipped with the code.
    """

    categorie = models.ForeignKey(
        "directory.Categorie",
        on_delete=models.CASCADE,
        related_name="lexicon_entries",
        verbose_name=_("catégorie"),
        to_field="code",
    )
    kind = models.CharField(_("nature"), max_length=20, choices=LexiconKind.choices)
    texte = models.CharField(_("texte"), max_length=300)
    poids = models.FloatField(
        _("poids"), default=1.0, help_text=_("1 par défaut ; 2 pour un mot très caractéristique.")
    )
    actif = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("entrée du lexique")
        verbose_name_plural = _("lexique de l'orientation")
        ordering = ["categorie", "kind", "texte"]
        constraints = [
            models.UniqueConstraint(
                fields=["categorie", "kind", "texte"], name="orientation_lexicon_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(poids__gte=0) & models.Q(poids__lte=5),
                name="orientation_lexicon_poids_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.texte} → {self.categorie_id}"


class LexiconVersion(models.Model):
    """One change of the lexicon: the engine loads the latest number, and caches by it."""

    numero = models.PositiveIntegerField(_("version"), unique=True)
    resume = models.CharField(_("modification"), max_length=300)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("version du lexique")
        verbose_name_plural = _("versions du lexique")
        ordering = ["-numero"]

    def __str__(self) -> str:
        return f"v{self.numero} — {self.resume}"


class OrientationDemand(models.Model):
    """How many orientation requests one day brought for one commune, profile, top category
    and channel: a counter, never a request. No text, no time of day, nothing about the
    person; the observatory publishes sums over many days, and only from 5 requests up
    (docs/observatoire.md, « Demande issue des orientations »)."""

    jour = models.DateField(_("jour"))
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("commune"),
    )
    profil = models.CharField(_("profil"), max_length=30, choices=Profil.choices)
    categorie = models.ForeignKey(
        "directory.Categorie",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("catégorie principale"),
        to_field="code",
    )
    canal = models.CharField(_("canal"), max_length=10, choices=DemandChannel.choices)
    nombre = models.PositiveIntegerField(_("nombre de demandes"), default=0)

    class Meta:
        verbose_name = _("demande d'orientation (comptage)")
        verbose_name_plural = _("demandes d'orientation (comptages)")
        constraints = [
            models.UniqueConstraint(
                fields=["jour", "commune", "profil", "categorie", "canal"],
                name="orientation_demand_unique",
            )
        ]
        indexes = [models.Index(fields=["jour"], name="orientation_demand_jour")]

    def __str__(self) -> str:
        return f"{self.jour} {self.commune_id} {self.categorie_id} : {self.nombre}"
