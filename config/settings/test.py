"""Test settings: base settings with fast hashing and plain-HTTP cookies."""

import os

os.environ.setdefault("MAILLAGE_DEBUG", "0")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Tasks queue in the database as in production; tests run `maillage worker --burst`.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Serve static files straight from the apps and packages, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Throttle counters in a cache of their own, emptied before each test (tests/conftest.py):
# every test client comes from 127.0.0.1, a test must not inherit another one's counts.
CACHES = {  # noqa: F405
    **CACHES,  # noqa: F405
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
    },
}
MAILLAGE_THROTTLE_CACHE = "throttle"
