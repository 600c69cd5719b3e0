"""Local development, as used by `make run`: DEBUG on, plain-HTTP cookies."""

import os

os.environ.setdefault("MAILLAGE_DEBUG", "1")

from .base import *  # noqa: E402, F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files straight from the apps and packages, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
