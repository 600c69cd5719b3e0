"""The mises en relation: a person's request to one structure, and its history.

Both tables kept the names they had when this was part of the orientation app
(`orientation_referral`, `orientation_referralevent`): moving the models to this app changed
Django's state only (migrations `orientation.0004` and `referrals.0001`), not the data.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.orientation.enums import Profil

from .enums import ContactWay, ReferralAction, ReferralOutcome, ReferralStatus


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
        db_table = "orientation_referral"
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
        db_table = "orientation_referralevent"
        verbose_name = _("étape d'une mise en relation")
        verbose_name_plural = _("historique des mises en relation")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} (mise en relation n° {self.referral_id})"
