"""Cache invalidation only: a new lexicon version empties this process's cache."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import LexiconEntry, LexiconVersion
from .selectors import lexicon_cache_clear


@receiver(post_save, sender=LexiconVersion)
@receiver(post_save, sender=LexiconEntry)
@receiver(post_delete, sender=LexiconEntry)
def lexicon_changed(**kwargs: Any) -> None:
    lexicon_cache_clear()
