"""Cross-cutting API endpoints: background task status, health."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest
from django_tasks import TaskResult, TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist
from ninja import Field, Router, Schema

from maillage.api.auth import session_auth

router = Router(tags=["socle"])


class TaskOut(Schema):
    id: str
    statut: str = Field(description="READY, RUNNING, SUCCESSFUL ou FAILED")
    resultat: Any = Field(None, description="Valeur renvoyée par la tâche une fois réussie")

    @staticmethod
    def from_result(result: TaskResult) -> TaskOut:
        value = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
        return TaskOut(id=result.id, statut=str(result.status), resultat=value)


@router.get("/taches/{task_id}", response=TaskOut, auth=session_auth, summary="État d'une tâche")
def task_status(request: HttpRequest, task_id: str) -> TaskOut:
    """Where a background task stands, whichever app server or worker handled it."""
    if not request.user.is_staff:
        raise PermissionDenied
    try:
        result = default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist as exc:
        raise Http404("Tâche inconnue") from exc
    return TaskOut.from_result(result)


class HealthOut(Schema):
    statut: str
    base_de_donnees: str


@router.get("/sante", response=HealthOut, summary="État du service (pour l'équilibreur de charge)")
def health(request: HttpRequest) -> HealthOut:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthOut(statut="ok", base_de_donnees=connection.vendor)
