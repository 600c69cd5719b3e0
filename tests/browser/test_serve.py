"""`make run` serves Maillage with a worker beside the web server: an import sent from the
web, a recompute or a reminder runs without a second terminal, and stopping the server
stops the worker. Not a browser test, but it reuses the browser suite's prepared database
(a copy, so its worker leaves the other tests' queue alone)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, _free_port, _wait_for, make_run_env

pytestmark = pytest.mark.browser


def test_serve_runs_queued_tasks_and_stops_its_worker(live_url, tmp_path_factory, tmp_path):
    prepared = next(tmp_path_factory.getbasetemp().glob("var*/server.log")).parent
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    with (
        sqlite3.connect(prepared / "maillage.sqlite3") as source,
        sqlite3.connect(var_dir / "maillage.sqlite3") as copy,
    ):
        source.backup(copy)
    env = make_run_env(var_dir)
    manage = [sys.executable, str(ROOT / "manage.py")]

    def shell(code: str) -> str:
        return (
            subprocess.run(  # noqa: S603 - our own command
                [*manage, "shell", "--no-imports", "-c", code],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            .stdout.decode()
            .strip()
        )

    task_id = shell(
        "from django_tasks_db.models import DBTaskResult\n"
        "from maillage.referrals.tasks import referrals_remind_task\n"
        "DBTaskResult.objects.all().delete()\n"
        "print(referrals_remind_task.enqueue().id)"
    )
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [*manage, "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/", process, timeout=120)
            worker_pid = int(re.search(r"processus (\d+)", log_path.read_text()).group(1))
            status = ""
            deadline = time.monotonic() + 60
            while status != "SUCCESSFUL" and time.monotonic() < deadline:
                time.sleep(0.5)
                status = shell(
                    "from django_tasks_db.models import DBTaskResult\n"
                    f"print(DBTaskResult.objects.get(id='{task_id}').status)"
                )
            assert status == "SUCCESSFUL", log_path.read_text()[-2000:]
        finally:
            process.terminate()
            process.wait(timeout=40)
    assert not os.path.exists(f"/proc/{worker_pid}"), "le worker a survécu au serveur"
    assert "Worker des tâches de fond arrêté." in log_path.read_text()
