"""Production static files: `maillage collectstatic` with the production storage succeeds and
serves the vendored map libraries under hashed, compressed names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_production_storage(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "collectstatic-test-key-not-secret-but-long-enough-0123456789",
        "MAILLAGE_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in (
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet-markercluster/leaflet.markercluster.js",
        "maillage/directory-map.js",
        "maillage/maillage.css",
    ):
        hashed = manifest[name]
        assert hashed != name
        assert (tmp_path / "static" / hashed).is_file()
        assert (tmp_path / "static" / f"{hashed}.gz").is_file()

    # Leaflet's stylesheet points at its marker images: those references are rewritten to
    # the hashed copies so that far-future caching never serves a stale image.
    css = (tmp_path / "static" / manifest["leaflet/leaflet.css"]).read_text()
    assert re.search(r'url\("images/layers\.[0-9a-f]{12}\.png"\)', css)
    assert "url(images/layers.png)" not in css
