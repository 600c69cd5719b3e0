from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import (
    ContactWay,
    DemandChannel,
    LexiconKind,
    Profil,
    ReferralAction,
    ReferralOutcome,
    ReferralStatus,
)


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


class Referral(models.Model):
    """A mise en relation: a person's need and contact details handed to one structure.

    Personal fields (`nom`, `courriel`, `telephone`, `besoin`) are blanked by the purge; the
    status, dates, category, commune and structure stay for the aggregated statistics. No
    personal field appears in `__str__`, logs or admin lists.
    """

    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    # Denormalised: the statistics survive a service being deleted or moved.
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.SET_NULL,
        null=True,
        related_name="referrals",
        verbose_name=_("structure"),
    )
    categorie = models.ForeignKey(
        "directory.Categorie",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        to_field="code",
        related_name="+",
        verbose_name=_("catégorie"),
    )
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    profil = models.CharField(_("profil"), max_length=30, choices=Profil.choices, blank=True)
    pour_compte_de_tiers = models.BooleanField(
        _("pour le compte d'une autre personne"), default=False
    )

    besoin = models.TextField(_("besoin"), max_length=2000, blank=True)
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    courriel = models.EmailField(_("e-mail"), blank=True)
    telephone = models.CharField(_("téléphone"), max_length=30, blank=True)
    contact_prefere = models.CharField(
        _("moyen de contact préféré"), max_length=20, choices=ContactWay.choices
    )

    consent_at = models.DateTimeField(_("consentement donné le"))
    consent_version = models.CharField(_("version du texte de consentement"), max_length=20)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par (conseiller)"),
    )
    # Hashes only: the follow-up link and the form's one-time key are never stored in clear.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    submission_key_hash = models.CharField(max_length=64, editable=False)

    status = models.CharField(
        _("statut"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.NOUVELLE
    )
    outcome = models.CharField(
        _("issue"), max_length=20, choices=ReferralOutcome.choices, blank=True
    )
    reoriented_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reoriented_from",
        verbose_name=_("réorientée vers"),
    )

    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refusée le"), null=True, blank=True)
    started_at = models.DateTimeField(_("démarrée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    reoriented_at = models.DateTimeField(_("réorientée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("dernière relance le"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("relances"), default=0)
    purged_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("mise en relation")
        verbose_name_plural = _("mises en relation")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double submit or a retry of the same form creates one referral only.
            models.UniqueConstraint(
                fields=["submission_key_hash"], name="orientation_referral_submission_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(courriel="", telephone="") | models.Q(purged_at__isnull=False),
                name="orientation_referral_has_contact",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=ReferralStatus.CLOTUREE, outcome__in=ReferralOutcome.values)
                    | (~models.Q(status=ReferralStatus.CLOTUREE) & models.Q(outcome=""))
                ),
                name="orientation_referral_outcome_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="orientation_referral_todo")]

    def __str__(self) -> str:
        return f"Mise en relation n° {self.pk}"

    @property
    def status_label(self) -> str:
        """« Clôturée — résolue », « Acceptée »…"""
        label = str(self.get_status_display())
        if self.outcome:
            label += f" — {self.get_outcome_display()}"
        return label

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class ReferralEvent(models.Model):
    """One step of a referral's history. `public` messages are shown to the person on their
    follow-up page; notes of the conseiller or the structure stay internal."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ReferralAction.choices)
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    public = models.BooleanField(_("visible par la personne"), default=True)
    author = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape d'une mise en relation")
        verbose_name_plural = _("historique des mises en relation")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} (mise en relation n° {self.referral_id})"


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
