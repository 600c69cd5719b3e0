"""Browser tests: a real Maillage server (`maillage serve`, as `make run` starts it) on
loopback, driven by Playwright in Debian's headless Chromium. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
# Nothing listens on port 9: the map must draw its contours without any tile.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def _lieu(id: str, nom: str, commune: str, cp: str, lat: float, lon: float, **extra) -> dict:
    return {
        "id": id,
        "nom": nom,
        "commune": commune,
        "code_postal": cp,
        "adresse": "1 place de la Mairie",
        "latitude": lat,
        "longitude": lon,
        "date_maj": "2024-05-01",
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:00",
        **extra,
    }


DEMO_LIEUX = [
    _lieu(
        "fab",
        "Fablab du Pays de Morlaix",
        "Morlaix",
        "29600",
        48.578,
        -3.827,
        services="Loisirs et créations numériques",
        frais_a_charge="Payant",
        presentation_detail="Impression 3D, découpe laser et électronique.",
    ),
    _lieu(
        "med",
        "Médiathèque de Saint-Pol-de-Léon",
        "Saint-Pol-de-Léon",
        "29250",
        48.685,
        -3.985,
        services="Loisirs et créations numériques|Accès internet et matériel informatique",
        frais_a_charge="Gratuit",
        presentation_detail="Imprimante 3D en libre accès.",
    ),
    _lieu(
        "cyb",
        "Cyberespace de Landivisiau",
        "Landivisiau",
        "29400",
        48.512,
        -4.070,
        services="Aide aux démarches administratives",
        frais_a_charge="Gratuit",
    ),
]


def make_run_env(var_dir, **extra: str) -> dict[str, str]:
    """The environment `make run` gives Maillage: development settings (DEBUG on, as
    `config.settings.dev` sets it), SQLite in `var_dir`. The test process's own settings
    (`config.settings.test` sets MAILLAGE_DEBUG=0) and database must not leak into it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "MAILLAGE_VAR_DIR": str(var_dir),
        **extra,
    }
    env.pop("DATABASE_URL", None)
    env.pop("MAILLAGE_DEBUG", None)
    return env


def _free_port() -> int:
    """A free port: the first free one of MAILLAGE_TEST_PORTS ("8200-8299") when set, so that
    several people on one machine keep to their own range; else one the system picks."""
    wanted = os.environ.get("MAILLAGE_TEST_PORTS", "")
    first, _, last = wanted.partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"Aucun port libre dans MAILLAGE_TEST_PORTS={wanted}.")


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Le serveur s'est arrêté (code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} ne répond pas après {timeout:.0f} s")


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    """`maillage serve` on a fresh SQLite database in a temporary var/ directory."""
    var_dir = tmp_path_factory.mktemp("var")
    port = _free_port()
    env = make_run_env(var_dir, MAILLAGE_TILE_URL=UNREACHABLE_TILES)
    manage = [sys.executable, str(ROOT / "manage.py")]
    # Prepare the database as `make run` does, then add a few lieux to search.
    subprocess.run([*manage, "serve", "--no-serve"], cwd=ROOT, env=env, check=True)  # noqa: S603
    lieux = var_dir / "lieux.json"
    lieux.write_text(json.dumps(DEMO_LIEUX), encoding="utf-8")
    subprocess.run(  # noqa: S603
        [*manage, "import_lieux", str(lieux), "--source", "Démonstration", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = (var_dir / "server.log").open("w")
    # The tests run the worker themselves (`live_manage("worker", "--burst")`) to see each
    # state; tests/browser/test_serve.py checks the worker `make run` starts.
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/", process, timeout=240)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} absent : installez-le avec `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=[(1280, 900), (375, 812)], ids=["bureau", "telephone"])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.width_label = request.node.callspec.id  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not errors, f"Erreurs JavaScript : {errors}"


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}-{page.width_label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def pytest_sessionfinish(session, exitstatus):
    # Keep the screenshots of the last run only.
    if exitstatus == 0 and ARTIFACTS.exists() and not any(ARTIFACTS.iterdir()):
        shutil.rmtree(ARTIFACTS)


MANAGER_EMAIL = "gestion@fablab-morlaix.fr"
MANAGER_PASSWORD = "un mot de passe solide 2026"


@pytest.fixture(scope="session")
def live_manage(live_url, tmp_path_factory):
    """Run a management command against the live server's database: live_manage("worker", …)."""
    var_dir = next(tmp_path_factory.getbasetemp().glob("var*/server.log")).parent
    env = make_run_env(var_dir)

    def run(*args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True
        )

    return run


ADMIN_EMAIL = "admin@maillage.test"


@pytest.fixture(scope="session")
def administrator(live_manage):
    """A superuser in the live server's database: (e-mail, password)."""
    live_manage(
        "shell",
        "-c",
        "from maillage.accounts.models import User\n"
        f"User.objects.filter(email={ADMIN_EMAIL!r}).exists() or "
        f"User.objects.create_superuser({ADMIN_EMAIL!r}, {MANAGER_PASSWORD!r})\n",
    )
    return ADMIN_EMAIL, MANAGER_PASSWORD


@pytest.fixture(scope="session")
def structure_manager(live_manage):
    """A structure manager of the Fablab du Pays de Morlaix in the live server's database:
    (e-mail, password)."""
    script = (
        "from maillage.accounts.enums import Role\n"
        "from maillage.accounts.models import User\n"
        "from maillage.accounts.services import role_grant\n"
        "from maillage.directory.models import Lieu\n"
        f"user, _ = User.objects.get_or_create(email={MANAGER_EMAIL!r})\n"
        f"user.set_password({MANAGER_PASSWORD!r}); user.save()\n"
        "lieu = Lieu.objects.get(nom='Fablab du Pays de Morlaix')\n"
        "role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=lieu.structure)\n"
    )
    live_manage("shell", "-c", script)
    return MANAGER_EMAIL, MANAGER_PASSWORD
