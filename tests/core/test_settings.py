"""Settings read from the environment."""

from __future__ import annotations

import multiprocessing

from config.settings.base import secret_key_kept

WORKERS = 16


def _start_together(barrier, path, keys) -> None:
    barrier.wait()
    keys.put(secret_key_kept(path))


def test_workers_starting_at_once_share_the_generated_secret_key(tmp_path):
    """Without SECRET_KEY, the first start generates one under var/; the workers of a server
    start together and must all end with that same key, or sessions, CSRF tokens and private
    follow-up links made by one worker fail in another."""
    path = tmp_path / "var" / "secret_key"
    context = multiprocessing.get_context("fork")
    barrier, keys = context.Barrier(WORKERS), context.Queue()
    processes = [
        context.Process(target=_start_together, args=(barrier, path, keys)) for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    found = {keys.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert found == {path.read_text().strip()}
    assert len(found.pop()) >= 50
    assert list(path.parent.iterdir()) == [path]  # no draft left behind
    assert path.stat().st_mode & 0o077 == 0
    assert secret_key_kept(path) == path.read_text().strip()  # later starts read it
