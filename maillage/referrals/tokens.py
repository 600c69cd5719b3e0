"""The secrets of a mise en relation: the form's one-time submission key and the person's
follow-up token. Only their SHA-256 hashes are stored, like password-reset tokens.

- The submission key is signed by the site with its time (`TimestampSigner`): only a form this
  site handed out in the last `MAILLAGE_REFERRAL_FORM_HOURS` creates a referral, and a double
  submit of the same form finds the referral it created (unique hash).
- The follow-up token is derived from the submission key with the site's secret (HMAC): a
  retry of the same form shows the same private link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing

_SUBMISSION_SALT = "maillage.orientation.referral-submission"  # unchanged: keys in flight stay good
MAX_LENGTH = 100

FORM_EXPIRED = (
    "Ce formulaire a expiré (ou ne vient pas de ce site) : rien n'a été envoyé. Vérifiez vos "
    "réponses ci-dessous, elles sont conservées, puis envoyez à nouveau la demande."
)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def submission_key_new() -> str:
    """The one-time key of a freshly rendered form, signed by the site with its time."""
    return signing.TimestampSigner(salt=_SUBMISSION_SALT).sign(secrets.token_urlsafe(24))


def submission_key_valid(submission_key: str) -> bool:
    """The key was made by `submission_key_new` on this site and has not expired."""
    if not submission_key or len(submission_key) > MAX_LENGTH:
        return False
    try:
        signing.TimestampSigner(salt=_SUBMISSION_SALT).unsign(
            submission_key, max_age=timedelta(hours=settings.MAILLAGE_REFERRAL_FORM_HOURS)
        )
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True


def submission_key_hash(submission_key: str) -> str:
    return sha256(submission_key)


def random_submission_key_hash() -> str:
    """The key hash of a referral no form created (a réorientation's copy)."""
    return sha256(secrets.token_urlsafe(24))


def follow_token_for(submission_key: str) -> str:
    """The follow-up token of the referral created by this form submission."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"referral-follow:{submission_key}".encode(), "sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def follow_token_hash(token: str) -> str:
    return sha256(token)


def follow_token_well_formed(token: str) -> bool:
    """A token this site could have made (URL-safe base64, not too long): anything else is
    answered 404 without a database read."""
    return (
        bool(token)
        and len(token) <= MAX_LENGTH
        and token.replace("-", "").replace("_", "").isalnum()
    )
