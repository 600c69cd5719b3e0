"""The management space in headless Chromium: a structure manager edits a service."""

import json
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, make_run_env

pytestmark = pytest.mark.browser


def test_structure_manager_edits_a_service(live_url, structure_manager, page, screenshot):
    email, password = structure_manager
    page.goto(live_url + "/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_test_id("structures")).to_contain_text("Fablab du Pays de Morlaix")
    expect(page.get_by_test_id("structures")).not_to_contain_text("Cyberespace")
    screenshot("espace-gestionnaire")

    page.get_by_role("link", name="Médiation numérique — Fablab du Pays de Morlaix").click()
    description = f"Impression 3D sur rendez-vous ({page.width_label})."
    page.get_by_label("Description").fill(description)
    page.locator("label", has_text="À distance").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Modifications enregistrées")
    expect(page.locator(".espace-history")).to_contain_text(description)
    screenshot("espace-service")

    page.get_by_role("link", name="Voir la fiche publique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fablab du Pays de Morlaix")
    expect(page.locator("main")).to_contain_text(description)
    screenshot("espace-fiche-publique")

    page.get_by_role("link", name="Signaler une erreur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une erreur")
    screenshot("signaler-une-erreur")


def test_lieu_commune_field_autocompletes(live_url, structure_manager, page, screenshot):
    email, password = structure_manager
    page.goto(live_url + "/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Fablab du Pays de Morlaix", exact=True).last.click()
    commune = page.get_by_role("combobox", name="Commune")
    expect(commune).to_have_value("Morlaix (29151)")
    commune.fill("Saint-Pol-de-L")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("Saint-Pol-de-Léon")
    screenshot("espace-lieu-commune")
    option.click()
    expect(commune).to_have_value("Saint-Pol-de-Léon (29259)")


def _login(page, live_url, credentials, path="/espace/"):
    email, password = credentials
    page.goto(live_url + path)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_administrator_uploads_a_file_and_follows_the_import(
    live_url, administrator, live_manage, page, screenshot, tmp_path
):
    rows = [
        {
            "id": f"televersement-{page.width_label}",
            "nom": f"Tiers-lieu de Carantec ({page.width_label})",
            "commune": "Carantec",
            "code_postal": "29660",
            "adresse": "Rue de la Grève",
            "date_maj": "2024-05-01",
            "services": "Accès internet et matériel informatique",
        },
        {"id": "x", "nom": "Sans commune", "commune": "Atlantide", "code_postal": "00000"},
    ]
    path = tmp_path / "partenaire.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    _login(page, live_url, administrator, "/espace/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    page.get_by_label("Fichier à importer").set_input_files(str(path))
    page.get_by_label("Ou nom d'une nouvelle source").fill("Partenaire de test")
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_test_id("import-status")).to_contain_text("En attente")
    screenshot("import-en-attente")

    live_manage("worker", "--burst")
    # import-progress.js polls the run and reloads the page once it has finished.
    expect(page.get_by_test_id("import-counts")).to_contain_text("Lieux créés : 1", timeout=20_000)
    expect(page.get_by_test_id("import-report")).to_contain_text("Adresse absente")
    screenshot("import-termine")


def test_import_progress_is_live_on_sqlite(
    live_url, administrator, live_manage, browser, tmp_path, tmp_path_factory
):
    """A real worker imports a thousand rows in one transaction on the SQLite database of
    `make run`: the page's progress endpoint shows intermediate figures before the end, and
    the worker's progress file is gone once the run has ended."""
    rows = [
        {
            # Far from the demo territories, so the other browser tests' searches ignore them.
            "id": f"avancement-{i}",
            "nom": f"Point numérique strasbourgeois n° {i}",
            "commune": "Strasbourg",
            "code_postal": "67000",
            "adresse": f"{i} rue du Dôme",
            "date_maj": "2024-05-01",
            "services": "Accès internet et matériel informatique",
        }
        for i in range(1000)
    ]
    path = tmp_path / "gros-fichier.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        _login(page, live_url, administrator, "/espace/imports/")
        page.get_by_label("Fichier à importer").set_input_files(str(path))
        page.get_by_label("Ou nom d'une nouvelle source").fill("Avancement en direct")
        page.get_by_role("button", name="Importer", exact=True).click()
        expect(page.get_by_test_id("import-status")).to_contain_text("En attente")
        progress_url = page.url + "progression.json"
        # Only the import matters here: put it ahead of the indicator recomputations other
        # imports queued (they stay queued), and let the worker run that one task.
        live_manage(
            "shell",
            "-c",
            "from django_tasks_db.models import DBTaskResult\n"
            "DBTaskResult.objects.filter(task_path__endswith='import_run_task', status='READY')"
            ".update(priority=100)\n",
        )

        var_dir = next(tmp_path_factory.getbasetemp().glob("var*/server.log")).parent
        env = make_run_env(var_dir)
        worker = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--max-tasks", "1"],
            cwd=ROOT,
            env=env,
        )
        percents: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            data = page.request.get(progress_url).json()
            percents.append(data["percent"])
            if data["finished"]:
                break
            time.sleep(0.1)
        assert worker.wait(timeout=60) == 0
        assert data["status"] == "termine" and data["percent"] == 100, data
        assert any(0 < p < 100 for p in percents), percents
        assert not list((var_dir / "imports").glob("progression-*.json"))
    finally:
        context.close()
