"""`make bench`: speed and quality figures for docs/benchmarks.md, one module per section.

    python -m benchmarks.run [--only SECTION] [--quick]

Sections, in this order (each module's docstring says what it measures and how):

- `communes` (`communes.py`): in this process, a fresh SQLite database that it fills
  with the reference data (two timed passes);
- `doublons` (`dedup_eval.py`): in this process, no database; needs the real files;
- `orientation` (`orientation_bench.py`): in this process, the same database;
- `annuaire` (`directory.py`): one worker per database (SQLite, and PostgreSQL when a local
  server answers); needs the real files;
- `planificateur` (`planner.py`) and `observatoire` (`observatory_bench.py`): one worker
  each in a fresh SQLite database; without the real files they run on another offer and
  their section says so;
- `charge` (`load.py`): gunicorn with production settings on loopback, 50 clients for 60 s
  over the public mix with the framework floor, SQLite and PostgreSQL.

Every figure is measured in a fresh database in a temporary directory, never a
developer's data. A section that needs the real datasets (`../shared/data`, or
`MAILLAGE_BENCH_DATA_DIR`) and does not find them is skipped with a message saying so; the
others go on. Each section replaces its part of docs/benchmarks.md between its markers
(`--quick`: small sizes, nothing written).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
from types import ModuleType

from . import common

#: (section name, module of `benchmarks`), in the order they run.
SECTIONS = [
    ("communes", "communes"),
    ("doublons", "dedup_eval"),
    ("orientation", "orientation_bench"),
    ("annuaire", "directory"),
    ("planificateur", "planner"),
    ("observatoire", "observatory_bench"),
    ("charge", "load"),
]


def section_module(name: str) -> ModuleType:
    return importlib.import_module(f"benchmarks.{dict(SECTIONS)[name]}")


def bench_worker(name: str) -> None:
    """In a subprocess (`--worker NAME`): migrate, load the reference, the taxonomy (and the
    demo territories), run the section module's `run()`, print its JSON."""
    import django
    from django.core.management import call_command

    module = section_module(name)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("load_taxonomie", verbosity=0)
    if module.WORKER_DEMO:
        call_command("load_demo", verbosity=0)
    print(json.dumps(module.run()))


def arguments(argv: list[str]) -> list[str]:
    """The sections asked for: `--only NAME` or all; `--quick` is read by `common`."""
    if "--only" not in argv:
        return [name for name, _ in SECTIONS]
    only = argv[argv.index("--only") + 1]
    if only not in dict(SECTIONS):
        raise SystemExit(f"Section inconnue : {only} (sections : {', '.join(dict(SECTIONS))}).")
    return [only]


def main() -> None:
    if "--worker" in sys.argv:
        bench_worker(sys.argv[sys.argv.index("--worker") + 1])
        return
    if "--quick" in sys.argv and not common.QUICK:
        # Sizes are read at import: start again with the variable set, workers inherit it.
        os.environ["MAILLAGE_BENCH_QUICK"] = "1"
        os.execv(sys.executable, [sys.executable, "-m", "benchmarks.run", *sys.argv[1:]])  # noqa: S606
    wanted = arguments(sys.argv)
    data = common.DATA.exists()
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as var_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "MAILLAGE_VAR_DIR": var_dir,
        }
        env.pop("DATABASE_URL", None)
        reference = False  # loaded in this process's database by `communes` or below
        for name in wanted:
            module = section_module(name)
            if not data and hasattr(module, "NEEDS_DATA"):
                print(f"Section « {name} » ignorée : {common.DATA} absent ({module.NEEDS_DATA}).")
                continue
            if not data and hasattr(module, "WITHOUT_DATA"):
                print(f"Section « {name} » sans {common.DATA} : {module.WITHOUT_DATA}.")
            if getattr(module, "NEEDS_REFERENCE", False) and not reference:
                print("Référentiel pour cette section…", flush=True)
                common.load_reference(env)
                reference = True
            module.section(env)
            reference = reference or name == "communes"
        print(
            "Banc terminé."
            if data
            else f"Banc terminé, sans les sections qui lisent {common.DATA}."
        )


if __name__ == "__main__":
    main()
