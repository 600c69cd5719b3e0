"""The mises en relation move here from the orientation app, with their data.

The tables stay where they are (`orientation_referral`, `orientation_referralevent`, same
constraints and index): this migration creates the models in Django's state only, and
`orientation.0004` removes them from the orientation app's state. The content types follow
the models, so that permissions and admin history keep pointing at them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("referral", "referralevent")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def _content_types_follow(apps, schema_editor) -> None:
    _move_content_types(apps, "orientation", "referrals")


def _content_types_back(apps, schema_editor) -> None:
    _move_content_types(apps, "referrals", "orientation")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orientation", "0003_add_orientation_demand"),
        ("directory", "0007_import_progress_at_and_history_actions"),
        ("territories", "0002_add_referenceimport"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Referral",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "profil",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("particulier", "Particulier"),
                                    ("entreprise", "Entreprise"),
                                    ("association", "Association"),
                                    ("collectivite", "Collectivité"),
                                    ("porteur_de_projet", "Porteur de projet"),
                                    ("professionnel", "Professionnel (aidant, conseiller)"),
                                ],
                                max_length=30,
                                verbose_name="profil",
                            ),
                        ),
                        (
                            "pour_compte_de_tiers",
                            models.BooleanField(
                                default=False, verbose_name="pour le compte d'une autre personne"
                            ),
                        ),
                        (
                            "besoin",
                            models.TextField(blank=True, max_length=2000, verbose_name="besoin"),
                        ),
                        ("nom", models.CharField(blank=True, max_length=150, verbose_name="nom")),
                        (
                            "courriel",
                            models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
                        ),
                        (
                            "telephone",
                            models.CharField(blank=True, max_length=30, verbose_name="téléphone"),
                        ),
                        (
                            "contact_prefere",
                            models.CharField(
                                choices=[
                                    ("courriel", "Par e-mail"),
                                    ("telephone", "Par téléphone"),
                                ],
                                max_length=20,
                                verbose_name="moyen de contact préféré",
                            ),
                        ),
                        ("consent_at", models.DateTimeField(verbose_name="consentement donné le")),
                        (
                            "consent_version",
                            models.CharField(
                                max_length=20, verbose_name="version du texte de consentement"
                            ),
                        ),
                        (
                            "token_hash",
                            models.CharField(
                                blank=True, editable=False, max_length=64, null=True, unique=True
                            ),
                        ),
                        ("submission_key_hash", models.CharField(editable=False, max_length=64)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("nouvelle", "Nouvelle"),
                                    ("acceptee", "Acceptée"),
                                    ("en_cours", "En cours"),
                                    ("cloturee", "Clôturée"),
                                    ("refusee", "Refusée"),
                                    ("reorientee", "Réorientée"),
                                    ("annulee", "Annulée par la personne"),
                                ],
                                default="nouvelle",
                                max_length=20,
                                verbose_name="statut",
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                blank=True,
                                choices=[("resolue", "résolue"), ("non_resolue", "non résolue")],
                                max_length=20,
                                verbose_name="issue",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="reçue le",
                            ),
                        ),
                        (
                            "first_response_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="première réponse le"
                            ),
                        ),
                        (
                            "accepted_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="acceptée le"),
                        ),
                        (
                            "refused_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="refusée le"),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="démarrée le"),
                        ),
                        (
                            "closed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="clôturée le"),
                        ),
                        (
                            "reoriented_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="réorientée le"
                            ),
                        ),
                        (
                            "cancelled_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="annulée le"),
                        ),
                        (
                            "reminded_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="dernière relance le"
                            ),
                        ),
                        (
                            "reminder_count",
                            models.PositiveSmallIntegerField(default=0, verbose_name="relances"),
                        ),
                        (
                            "purged_at",
                            models.DateTimeField(
                                blank=True,
                                null=True,
                                verbose_name="données personnelles effacées le",
                            ),
                        ),
                        (
                            "categorie",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="directory.categorie",
                                to_field="code",
                                verbose_name="catégorie",
                            ),
                        ),
                        (
                            "commune",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="territories.commune",
                                verbose_name="commune",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="créée par (conseiller)",
                            ),
                        ),
                        (
                            "reoriented_to",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="reoriented_from",
                                to="referrals.referral",
                                verbose_name="réorientée vers",
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="referrals",
                                to="directory.service",
                                verbose_name="service",
                            ),
                        ),
                        (
                            "structure",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="referrals",
                                to="directory.structure",
                                verbose_name="structure",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "mise en relation",
                        "verbose_name_plural": "mises en relation",
                        "db_table": "orientation_referral",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ReferralEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("accepter", "Accepter"),
                                    ("refuser", "Refuser"),
                                    ("demarrer", "Démarrer l'accompagnement"),
                                    ("cloturer", "Clôturer"),
                                    ("reorienter", "Réorienter"),
                                    ("annuler", "Annuler la demande"),
                                    ("note", "Note"),
                                    ("creer", "Création"),
                                    ("relancer", "Relance"),
                                ],
                                max_length=20,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("nouvelle", "Nouvelle"),
                                    ("acceptee", "Acceptée"),
                                    ("en_cours", "En cours"),
                                    ("cloturee", "Clôturée"),
                                    ("refusee", "Refusée"),
                                    ("reorientee", "Réorientée"),
                                    ("annulee", "Annulée par la personne"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("nouvelle", "Nouvelle"),
                                    ("acceptee", "Acceptée"),
                                    ("en_cours", "En cours"),
                                    ("cloturee", "Clôturée"),
                                    ("refusee", "Refusée"),
                                    ("reorientee", "Réorientée"),
                                    ("annulee", "Annulée par la personne"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "message",
                            models.TextField(blank=True, max_length=2000, verbose_name="message"),
                        ),
                        (
                            "public",
                            models.BooleanField(
                                default=True, verbose_name="visible par la personne"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="le"
                            ),
                        ),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="par",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "étape d'une mise en relation",
                        "verbose_name_plural": "historique des mises en relation",
                        "db_table": "orientation_referralevent",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.AddIndex(
                    model_name="referral",
                    index=models.Index(
                        fields=["status", "created_at"], name="orientation_referral_todo"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="referral",
                    constraint=models.UniqueConstraint(
                        fields=("submission_key_hash",), name="orientation_referral_submission_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="referral",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("courriel", ""), ("telephone", ""), _negated=True),
                            ("purged_at__isnull", False),
                            _connector="OR",
                        ),
                        name="orientation_referral_has_contact",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="referral",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("outcome__in", ["resolue", "non_resolue"]), ("status", "cloturee")
                            ),
                            models.Q(
                                models.Q(("status", "cloturee"), _negated=True), ("outcome", "")
                            ),
                            _connector="OR",
                        ),
                        name="orientation_referral_outcome_when_closed",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_follow, _content_types_back),
    ]
