"""Background tasks of the mises en relation: reminders of unanswered ones."""

from __future__ import annotations

from django_tasks import task

from .services import referrals_remind


@task()
def referrals_remind_task() -> int:
    """Remind the structures of referrals left unanswered; returns how many were reminded."""
    return referrals_remind()
