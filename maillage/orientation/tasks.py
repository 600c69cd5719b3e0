"""Background tasks of the orientation: reminders of unanswered mises en relation."""

from __future__ import annotations

from django_tasks import task

from .referrals import referrals_remind


@task()
def referrals_remind_task() -> int:
    """Remind the structures of referrals left unanswered; returns how many were reminded."""
    return referrals_remind()
