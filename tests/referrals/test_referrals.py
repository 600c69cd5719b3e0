"""Mise en relation: the request, the workflow, who sees what, reminders, statistics, purge."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.core.kanonymity import k_anonymous_table
from maillage.directory.models import Categorie
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import Referral, ReferralEvent
from maillage.referrals.selectors import referral_statistics
from maillage.referrals.services import referral_create, referral_transition, referrals_purge
from maillage.referrals.tokens import submission_key_new
from maillage.territories.models import Commune, Territoire
from tests.orientation.factories import ServiceFactory

pytestmark = pytest.mark.django_db

S = ReferralStatus
PERSON = {
    "nom": "Anne Le Guen",
    "courriel": "anne.leguen@example.fr",
    "telephone": "06 12 34 56 78",
}
BESOIN = "Je voudrais apprendre à faire mes démarches de retraite en ligne"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def services():
    """Two structures with one service each (made directly: an import costs seconds)."""
    codes = Categorie.objects.order_by("code").values_list("code", flat=True)[:2]
    return [
        ServiceFactory(structure__nom=nom, nom=f"Accompagnement — {nom}", categories=[code])
        for nom, code in zip(
            ("Espace numérique de Morlaix", "Fablab de Morlaix"), codes, strict=True
        )
    ]


@pytest.fixture
def morlaix():
    return Commune.objects.communes().get(code="29151")


@pytest.fixture
def manager(make_user, services):
    user = make_user("gestion@example.fr")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=services[0].structure)
    return user


@pytest.fixture
def other_manager(make_user, services):
    user = make_user("autre@example.fr")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=services[1].structure)
    return user


@pytest.fixture
def territory_admin(make_user, morlaix):
    user = make_user("territoire@example.fr")
    territoire = Territoire.objects.filter(communes=morlaix).first()
    assert territoire is not None
    role_grant(user=user, role=Role.TERRITORY_ADMIN, territoire=territoire)
    return user


def _create(service, commune, **extra):
    values = {
        "service": service,
        "commune": commune,
        "submission_key": submission_key_new(),
        "contact_prefere": "courriel",
        "besoin": BESOIN,
        **PERSON,
        **extra,
    }
    return referral_create(**values).referral


def _form_data(client, service, **extra):
    page = client.get(reverse("referrals:create", args=[service.pk])).content.decode()
    key = re.search(r'name="cle" value="([^"]+)"', page).group(1)
    data = {
        "besoin": BESOIN,
        "commune": "29600",
        "profil": "particulier",
        "contact_prefere": "courriel",
        "consentement": "on",
        "cle": key,
        "website": "",
        "started": str(time.time() - 30),
        **PERSON,
    }
    data.update(extra)
    return data


def _follow_url(html: str) -> str:
    return re.search(r'data-testid="follow-link">([^<]+)<', html).group(1)


# The request.


def test_a_person_asks_to_be_put_in_touch_and_the_structure_is_told_without_personal_data(
    client, services, manager, django_capture_on_commit_callbacks
):
    service = services[0]
    form = client.get(reverse("referrals:create", args=[service.pk])).content.decode()
    assert "365 jours après la clôture" in form
    assert service.structure.nom in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:create", args=[service.pk]), _form_data(client, service)
        )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    referral = Referral.objects.get()
    assert referral.status == S.NOUVELLE
    assert referral.commune.code == "29151"
    assert referral.structure == service.structure
    assert referral.categorie_id is not None
    assert referral.consent_version and referral.consent_at
    link = _follow_url(response.content.decode())
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in (referral.token_hash or "")  # only a hash is stored
    to_manager, to_person = sorted(mail.outbox, key=lambda m: m.to != ["gestion@example.fr"])
    assert to_manager.to == ["gestion@example.fr"]
    body = to_manager.subject + to_manager.body
    for personal in (*PERSON.values(), "retraite", token):
        assert personal not in body
    assert reverse("referrals_espace:detail", args=[referral.pk]) in body
    assert to_person.to == [PERSON["courriel"]] and link in to_person.body


def test_the_form_keeps_what_was_typed_and_explains_each_error(client, services):
    service = services[0]
    data = _form_data(client, service, courriel="", telephone="", consentement="")
    response = client.post(reverse("referrals:create", args=[service.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="form-errors"' in page
    assert "Donnez une adresse e-mail ou un numéro de téléphone" in page
    assert "Cochez la case pour accepter" in page
    assert 'value="Anne Le Guen"' in page and "démarches de retraite" in page
    assert not Referral.objects.exists()


def test_the_guided_journey_session_fills_the_need_and_commune(client, services, morlaix):
    service = services[0]
    session = client.session
    session["orientation"] = {
        "profil": "entreprise",
        "pour_compte_de_tiers": False,
        "commune": "29151",
        "besoin": "site internet pour ma boutique",
        "categories": [service.categories.get().code],
        "contraintes": {},
        "resultats": [service.pk],
    }
    session.save()
    page = client.get(reverse("referrals:create", args=[service.pk])).content.decode()
    assert "site internet pour ma boutique" in page and 'name="besoin"' not in page
    data = _form_data(client, service)
    for name in ("besoin", "commune", "profil"):
        data.pop(name)
    assert client.post(reverse("referrals:create", args=[service.pk]), data).status_code == 200
    referral = Referral.objects.get()
    assert (referral.besoin, referral.commune, referral.profil) == (
        "site internet pour ma boutique",
        morlaix,
        "entreprise",
    )


def test_a_double_submit_creates_one_referral_and_shows_the_same_link(client, services):
    service = services[0]
    data = _form_data(client, service)
    first = client.post(reverse("referrals:create", args=[service.pk]), data)
    second = client.post(reverse("referrals:create", args=[service.pk]), data)
    assert first.status_code == second.status_code == 200
    assert Referral.objects.count() == 1
    assert _follow_url(first.content.decode()) == _follow_url(second.content.decode())


def test_only_a_form_this_site_handed_out_recently_is_taken(client, services, settings):
    """A made-up key, or one older than MAILLAGE_REFERRAL_FORM_HOURS, creates nothing: the
    form comes back with what was typed and a fresh key, with which the send goes through.
    A double submit of a form whose key has since expired still finds its referral."""
    service = services[0]
    url = reverse("referrals:create", args=[service.pk])
    forged = client.post(url, _form_data(client, service, cle=secrets.token_urlsafe(24)))
    assert forged.status_code == 400
    html = forged.content.decode()
    assert "Ce formulaire a expiré (ou ne vient pas de ce site)" in html
    assert PERSON["nom"] in html
    assert not Referral.objects.exists()
    fresh = re.search(r'name="cle" value="([^"]+)"', html).group(1)
    assert client.post(url, _form_data(client, service, cle=fresh)).status_code == 200
    assert Referral.objects.count() == 1
    data = _form_data(client, service)
    settings.MAILLAGE_REFERRAL_FORM_HOURS = -1  # every key handed out has now expired
    expired = client.post(url, data)
    assert expired.status_code == 400
    assert "Ce formulaire a expiré" in expired.content.decode()
    assert Referral.objects.count() == 1
    renewed = re.search(r'name="cle" value="([^"]+)"', expired.content.decode()).group(1)
    settings.MAILLAGE_REFERRAL_FORM_HOURS = 48
    assert client.post(url, {**data, "cle": renewed}).status_code == 200
    assert Referral.objects.count() == 2
    sent = _form_data(client, service)
    assert client.post(url, sent).status_code == 200
    settings.MAILLAGE_REFERRAL_FORM_HOURS = -1
    again = client.post(url, sent)
    assert again.status_code == 200 and Referral.objects.count() == 3


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"website": "http://spam"}, "« Laissez ce champ vide » est rempli"),
        ({"started": str(time.time() + 3600)}, "plus vite qu'une personne"),
        ({"started": ""}, "incomplet ou a été modifié"),
        ({"started": "pas une date"}, "incomplet ou a été modifié"),
        ({"started": "nan"}, "incomplet ou a été modifié"),
    ],
)
def test_a_refused_form_says_nothing_was_sent_and_records_nothing(client, services, extra, reason):
    service = services[0]
    url = reverse("referrals:create", args=[service.pk])
    data = _form_data(client, service, **extra)
    if extra.get("started") == "":
        del data["started"]  # the timing field left out altogether
    response = client.post(url, data)
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Rien n'a été envoyé" in html and reason in html
    assert "Votre demande est envoyée" not in html and 'data-testid="follow-link"' not in html
    assert PERSON["nom"] in html, "what the person typed is kept"
    assert not Referral.objects.exists() and not mail.outbox


def test_a_form_refused_for_its_missing_timing_is_sent_once_read_again(client, services):
    service = services[0]
    url = reverse("referrals:create", args=[service.pk])
    data = _form_data(client, service)
    del data["started"]
    page = client.post(url, data).content.decode()
    started = float(re.search(r'name="started" value="([^"]+)"', page).group(1))
    assert abs(started - time.time()) < 5, "the re-shown form restarts its clock"
    data["started"] = str(started - 30)  # the person reads it again before sending
    assert client.post(url, data).status_code == 200
    assert Referral.objects.count() == 1


@override_settings(MAILLAGE_REFERRAL_PER_HOUR=2)
def test_too_many_requests_from_one_address_are_refused(client, services):
    service = services[0]
    url = reverse("referrals:create", args=[service.pk])
    codes = [client.post(url, _form_data(client, service)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert Referral.objects.count() == 2


# The workflow.


def test_the_structure_accepts_starts_and_closes_and_the_person_is_told(
    services, morlaix, manager, django_capture_on_commit_callbacks
):
    referral = _create(services[0], morlaix)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_transition(referral=referral, action="accepter", user=manager)
        referral = referral_transition(referral=referral, action="demarrer", user=manager)
        referral = referral_transition(
            referral=referral,
            action="cloturer",
            user=manager,
            outcome=ReferralOutcome.RESOLUE,
            message="Atelier suivi le 3 décembre.",
        )
    assert referral.status_label == "Clôturée — résolue"
    assert referral.accepted_at <= referral.started_at <= referral.closed_at
    assert referral.first_response_at == referral.accepted_at
    assert [m.to for m in mail.outbox] == [[PERSON["courriel"]]] * 3
    assert "Atelier suivi le 3 décembre." in mail.outbox[-1].body
    actions = list(referral.events.values_list("action", flat=True))
    assert actions == ["creer", "accepter", "demarrer", "cloturer"]


@pytest.mark.parametrize(
    ("path", "action", "message"),
    [
        ([], "demarrer", "« démarrer l'accompagnement » une demande au statut « Nouvelle »"),
        ([], "cloturer", "« clôturer » une demande au statut « Nouvelle »"),
        (["accepter"], "accepter", "« accepter » une demande au statut « Acceptée »"),
        (["refuser"], "accepter", "« accepter » une demande au statut « Refusée »"),
        (["annuler"], "accepter", "au statut « Annulée par la personne »"),
    ],
)
def test_forbidden_transitions_raise_a_clear_french_error(
    services, morlaix, manager, path, action, message
):
    referral = _create(services[0], morlaix)
    for step in path:
        referral = referral_transition(
            referral=referral, action=step, user=manager, message="Hors de notre champ."
        )
    with pytest.raises(ValidationError) as error:
        referral_transition(
            referral=referral, action=action, user=manager, outcome=ReferralOutcome.RESOLUE
        )
    assert message in error.value.messages[0]


def test_a_refusal_needs_a_reason_and_closing_needs_an_outcome(services, morlaix, manager):
    referral = _create(services[0], morlaix)
    with pytest.raises(ValidationError, match="pourquoi vous refusez"):
        referral_transition(referral=referral, action="refuser", user=manager)
    referral = referral_transition(referral=referral, action="accepter", user=manager)
    with pytest.raises(ValidationError, match="résolue ou non"):
        referral_transition(referral=referral, action="cloturer", user=manager)


def test_of_two_managers_acting_on_the_same_view_only_the_first_wins(services, morlaix, manager):
    referral = _create(services[0], morlaix)
    seen_by_a = Referral.objects.get(pk=referral.pk)
    seen_by_b = Referral.objects.get(pk=referral.pk)
    referral_transition(referral=seen_by_a, action="accepter", user=manager)
    with pytest.raises(ValidationError, match="a changé entre-temps"):
        referral_transition(referral=seen_by_b, action="refuser", user=manager, message="Non.")
    assert Referral.objects.get(pk=referral.pk).status == S.ACCEPTEE
    assert ReferralEvent.objects.filter(referral=referral, action="refuser").count() == 0


def test_a_refused_referral_is_reoriented_to_another_structure_which_is_told(
    client, services, morlaix, manager, other_manager, django_capture_on_commit_callbacks
):
    mine, other = services
    data = _form_data(client, mine)
    link = _follow_url(
        client.post(reverse("referrals:create", args=[mine.pk]), data).content.decode()
    )
    referral = Referral.objects.get()
    referral = referral_transition(
        referral=referral, action="refuser", user=manager, message="Voyez plutôt le fablab."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_transition(
            referral=referral, action="reorienter", user=manager, new_service=other
        )
    assert referral.status == S.REORIENTEE
    new = referral.reoriented_to
    assert new.service == other and new.status == S.NOUVELLE and new.nom == PERSON["nom"]
    assert {tuple(m.to) for m in mail.outbox} == {("autre@example.fr",), (PERSON["courriel"],)}
    page = client.get(link).content.decode()
    assert "Voyez plutôt le fablab." in page and other.nom in page


# The person's follow-up link.


def test_the_follow_link_shows_the_status_and_lets_the_person_cancel(client, services, manager):
    service = services[0]
    response = client.post(
        reverse("referrals:create", args=[service.pk]), _form_data(client, service)
    )
    link = _follow_url(response.content.decode())
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Nouvelle" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    client.post(link, {"action": "annuler"})
    assert Referral.objects.get().status == S.ANNULEE
    assert "Annulée par la personne" in client.get(link).content.decode()


def test_a_wrong_token_is_a_plain_404_and_anonymous_users_cannot_open_a_case(
    client, services, morlaix
):
    referral = _create(services[0], morlaix)
    for token in ("x" * 43, "abc", referral.token_hash):
        response = client.get(reverse("referrals:follow", args=[token]))
        assert response.status_code == 404
        assert PERSON["nom"] not in response.content.decode()
    response = client.get(reverse("referrals_espace:detail", args=[referral.pk]))
    assert response.status_code == 302 and "connexion" in response.url


# Who sees what.


def test_a_manager_sees_only_the_referrals_of_their_structures(
    client, services, morlaix, manager, other_manager
):
    mine = _create(services[0], morlaix)
    theirs = _create(services[1], morlaix, nom="Paul Autre")
    client.force_login(manager)
    listing = client.get(reverse("referrals_espace:list")).content.decode()
    assert reverse("referrals_espace:detail", args=[mine.pk]) in listing
    assert reverse("referrals_espace:detail", args=[theirs.pk]) not in listing
    detail = client.get(reverse("referrals_espace:detail", args=[mine.pk])).content.decode()
    assert PERSON["telephone"] in detail and "démarches de retraite" in detail
    response = client.get(reverse("referrals_espace:detail", args=[theirs.pk]))
    assert response.status_code == 404 and "Paul Autre" not in response.content.decode()
    response = client.post(
        reverse("referrals_espace:detail", args=[theirs.pk]), {"action": "accepter"}
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=theirs.pk).status == S.NOUVELLE
    home = client.get(reverse("espace:home")).content.decode()
    assert "1 nouvelle" in home


def test_the_manager_answers_from_the_space(client, services, morlaix, manager):
    referral = _create(services[0], morlaix)
    client.force_login(manager)
    url = reverse("referrals_espace:detail", args=[referral.pk])
    assert client.post(url, {"action": "accepter", "message": ""}).status_code == 302
    client.post(url, {"action": "cloturer", "outcome": "non_resolue", "message": "Injoignable."})
    assert Referral.objects.get().status_label == "Clôturée — non résolue"
    response = client.post(url, {"action": "accepter"})
    assert response.status_code == 400 and "Action impossible" in response.content.decode()


def test_the_conseiller_who_created_a_case_reads_it_and_adds_notes_but_cannot_answer(
    client, services, morlaix, make_user
):
    conseiller = make_user("conseil@example.fr")
    role_grant(user=conseiller, role=Role.ADVISER)
    referral = _create(services[0], morlaix, created_by=conseiller, pour_compte_de_tiers=True)
    client.force_login(conseiller)
    url = reverse("referrals_espace:detail", args=[referral.pk])
    assert PERSON["nom"] in client.get(url).content.decode()
    assert client.post(url, {"action": "accepter"}).status_code == 403
    assert client.post(url, {"note": "Rappeler lundi."}).status_code == 302
    note = referral.events.get(action="note")
    assert note.public is False
    assert (
        "Rappeler lundi."
        not in client.get(reverse("referrals:follow", args=["invalid"])).content.decode()
    )


def test_territory_administrators_see_statistics_but_not_the_cases(
    client, services, morlaix, territory_admin
):
    referral = _create(services[0], morlaix)
    client.force_login(territory_admin)
    assert client.get(reverse("referrals_espace:detail", args=[referral.pk])).status_code == 404
    listing = client.get(reverse("referrals_espace:list")).content.decode()
    assert PERSON["nom"] not in listing
    stats = client.get(reverse("referrals_espace:statistics"))
    assert stats.status_code == 200
    page = stats.content.decode()
    assert "moins de 5" in page and PERSON["nom"] not in page


def test_users_without_a_role_get_nothing(client, services, morlaix, make_user):
    referral = _create(services[0], morlaix)
    client.force_login(make_user("rien@example.fr"))
    assert client.get(reverse("referrals_espace:list")).status_code == 403
    assert client.get(reverse("referrals_espace:detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referrals_espace:statistics")).status_code == 403
    assert client.get(reverse("referrals_espace:statistics_csv")).status_code == 403


# Reminders.


@override_settings(MAILLAGE_REFERRAL_REMINDER_HOURS=72, MAILLAGE_REFERRAL_REMINDER_MAX=2)
def test_unanswered_referrals_are_reminded_at_most_twice(
    services, morlaix, manager, django_capture_on_commit_callbacks
):
    fresh = _create(services[0], morlaix)
    old = _create(services[0], morlaix)
    answered = _create(services[0], morlaix)
    referral_transition(referral=answered, action="accepter", user=manager)
    four_days_ago = timezone.now() - timedelta(days=4)
    Referral.objects.filter(pk__in=[old.pk, answered.pk]).update(created_at=four_days_ago)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals_remind", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["gestion@example.fr"]]
    assert "Rappel" in mail.outbox[0].subject and PERSON["nom"] not in mail.outbox[0].body
    old.refresh_from_db()
    assert old.reminder_count == 1 and old.reminded_at is not None
    # Run again right away: nothing new until the delay has passed once more.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals_remind", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    for _ in range(3):
        Referral.objects.filter(pk=old.pk).update(reminded_at=four_days_ago)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("referrals_remind", stdout=io.StringIO())
    old.refresh_from_db()
    assert old.reminder_count == 2 and len(mail.outbox) == 2
    fresh.refresh_from_db()
    assert fresh.reminder_count == 0


def test_the_reminder_is_also_a_background_task(services, morlaix, manager):
    from maillage.referrals.tasks import referrals_remind_task

    old = _create(services[0], morlaix)
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert referrals_remind_task.call() == 1


# Statistics and k-anonymity.


def test_small_cells_and_the_totals_that_would_reveal_them_are_suppressed():
    rows, columns, grand = k_anonymous_table({"A": [7, 5, 6], "B": [9, 2, 8], "C": [1, 0, 3]}, k=5)
    a_cells, a_total = rows["A"]
    assert [c.value for c in a_cells] == [7, 5, 6] and a_total.value == 18
    b_cells, b_total = rows["B"]
    assert [c.value for c in b_cells] == [9, None, 8] and b_cells[1].small
    # B's total would give the hidden 2 back by subtraction: masked, although 19 ≥ 5.
    assert b_total.value is None and not b_total.small
    c_cells, c_total = rows["C"]
    assert all(c.value is None for c in c_cells) and c_total.value is None and c_total.small
    # Column totals: column 1 has B's hidden cell, columns 0 and 2 have C's hidden cells.
    assert [c.value for c in columns] == [None, None, None]
    assert grand.value is None
    rows, columns, grand = k_anonymous_table({"A": [7, 5], "B": [9, 6]}, k=5)
    assert [c.value for c in columns] == [16, 11] and grand.value == 27


def test_no_published_number_lets_a_hidden_cell_be_recomputed():
    """Brute force: every published total equals a sum of published parts, or hides one."""
    import itertools

    for values in itertools.product([0, 3, 6], repeat=4):
        counts = {"A": list(values[:2]), "B": list(values[2:])}
        rows, columns, grand = k_anonymous_table(counts, k=5)
        for cells, total in rows.values():
            if total.value is not None:
                assert all(c.value is not None for c in cells)
        for i, column in enumerate(columns):
            if column.value is not None:
                assert all(rows[r][0][i].value is not None for r in rows)
        if grand.value is not None:
            assert all(total.value is not None for _cells, total in rows.values())


def test_statistics_hide_small_structures_and_give_median_response_times(
    services, morlaix, manager, other_manager, make_user
):
    superuser = make_user("su@example.fr", is_superuser=True)
    for _ in range(6):
        referral = _create(services[0], morlaix)
        referral = referral_transition(referral=referral, action="accepter", user=manager)
        referral_transition(
            referral=referral, action="cloturer", user=manager, outcome=ReferralOutcome.RESOLUE
        )
    for _ in range(2):
        _create(services[1], morlaix)
    stats = referral_statistics(superuser)
    by_structure = {row.label: row for row in stats.tables[0].rows}
    big = by_structure[services[0].structure.nom]
    small = by_structure[services[1].structure.nom]
    assert str(big.cells[2]) == "6" and str(big.total) == "masqué"  # other cells are 0 < 5
    assert all(str(c) == "moins de 5" for c in small.cells) and str(small.total) == "moins de 5"
    assert big.median_response.endswith(" h") and small.median_response == "moins de 5 réponses"
    assert str(stats.total) == "masqué"
    # The spreadsheet publishes the same cells, hidden ones included.
    client = Client()
    client.force_login(superuser)
    response = client.get(reverse("referrals_espace:statistics_csv"))
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = {
        (r["tableau"], r["libelle"]): r
        for r in csv.DictReader(io.StringIO(body[1:]), delimiter=";")
    }
    big_row = rows[("structure", services[0].structure.nom)]
    assert [big_row[c] for c in stats.columns] == [str(c) for c in big.cells]
    assert big_row["total"] == "masqué"
    assert rows[("structure", services[1].structure.nom)]["total"] == "moins de 5"
    assert rows[("Ensemble", "Tout le territoire")]["total"] == "masqué"
    assert PERSON["nom"] not in body and PERSON["courriel"] not in body


# Retention.


def test_the_purge_blanks_personal_data_and_keeps_the_statistics(
    services, morlaix, manager, make_user
):
    superuser = make_user("su@example.fr", is_superuser=True)
    closed = []
    for _ in range(5):
        referral = _create(services[0], morlaix)
        referral = referral_transition(referral=referral, action="accepter", user=manager)
        closed.append(
            referral_transition(
                referral=referral,
                action="cloturer",
                user=manager,
                outcome=ReferralOutcome.RESOLUE,
                message="Vu avec Mme Le Guen.",
            )
        )
    recent = _create(services[0], morlaix)
    never_closed = _create(services[0], morlaix)
    long_ago = timezone.now() - timedelta(days=400)
    Referral.objects.filter(pk__in=[r.pk for r in closed]).update(closed_at=long_ago)
    Referral.objects.filter(pk=never_closed.pk).update(created_at=long_ago - timedelta(days=90))
    before = referral_statistics(superuser)

    assert referrals_purge(wet_run=False) == 6
    assert Referral.objects.filter(purged_at__isnull=False).count() == 0
    assert Referral.objects.filter(nom=PERSON["nom"]).count() == 7

    call_command("purge_personal_data", "--wet-run", stdout=io.StringIO())
    purged = Referral.objects.filter(purged_at__isnull=False)
    assert purged.count() == 6
    for referral in purged:
        assert (referral.nom, referral.courriel, referral.telephone, referral.besoin) == ("",) * 4
        assert referral.token_hash is None
        assert referral.status and referral.structure_id and referral.commune_id
        assert not referral.events.exclude(message="").exists()
    recent.refresh_from_db()
    assert recent.nom == PERSON["nom"] and recent.purged_at is None
    after = referral_statistics(superuser)
    assert repr(after) == repr(before)
    assert referrals_purge(wet_run=False) == 0


def test_the_statistics_spreadsheet_runs_no_formula_from_a_structure_name(
    client, make_user, morlaix
):
    """A structure named like a formula is written as text (CSV injection)."""
    service = ServiceFactory(
        structure__nom='=HYPERLINK("http://example.com","x")', categories=["cybersecurite"]
    )
    _create(service, morlaix)
    client.force_login(make_user("su@example.fr", is_superuser=True))
    body = client.get(reverse("referrals_espace:statistics_csv")).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    labels = [row[1] for row in rows if row[0] == "structure"]
    assert labels == ['\'=HYPERLINK("http://example.com","x")']
