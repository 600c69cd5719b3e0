"""A database made before the referrals had their own app migrates with its rows: the
tables stay, the models change app in Django's state only, the content types follow.

Real migrations in a subprocess, on a SQLite file of their own (the test database has
every migration applied already)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

INSERT_REFERRAL = """
INSERT INTO orientation_referral (
    profil, pour_compte_de_tiers, besoin, nom, courriel, telephone, contact_prefere,
    consent_at, consent_version, token_hash, submission_key_hash, status, outcome,
    created_at, reminder_count
) VALUES (
    'particulier', 0, 'Mes démarches', 'Anne Le Guen', 'anne@example.fr', '',
    'courriel', '2026-11-02 10:00:00', '2026-11', 'hash-du-lien', 'hash-de-la-cle',
    'acceptee', '', '2026-11-02 10:00:00', 0
)
"""


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_an_existing_database_keeps_its_referrals(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["MAILLAGE_VAR_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    # The database as it was: the mises en relation in the orientation app.
    _manage(env, "migrate", "orientation", "0003", "--no-input", "-v", "0")
    database = tmp_path / "maillage.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute(INSERT_REFERRAL)
        (pk,) = db.execute("SELECT id FROM orientation_referral").fetchone()
        db.execute(
            "INSERT INTO orientation_referralevent (referral_id, action, from_status, to_status,"
            " message, public, created_at) VALUES (?, 'accepter', 'nouvelle', 'acceptee',"
            " 'Bienvenue', 1, '2026-11-03 09:00:00')",
            (pk,),
        )
        labels = db.execute(
            "SELECT app_label FROM django_content_type WHERE model = 'referral'"
        ).fetchall()
    assert labels == [("orientation",)]

    _manage(env, "migrate", "--no-input", "-v", "0")
    shown = _manage(
        env,
        "shell",
        "-c",
        "from maillage.referrals.models import Referral\n"
        "r = Referral.objects.get()\n"
        "print(r.nom, r.status, r.events.get().message, sep='|')",
    )
    assert shown.strip().endswith("Anne Le Guen|acceptee|Bienvenue")
    with closing(sqlite3.connect(database)) as db:
        labels = db.execute(
            "SELECT app_label, model FROM django_content_type"
            " WHERE model IN ('referral', 'referralevent') ORDER BY model"
        ).fetchall()
    assert labels == [("referrals", "referral"), ("referrals", "referralevent")]
    assert "No changes detected" in _manage(
        env, "makemigrations", "--check", "--dry-run", "--no-input"
    )
