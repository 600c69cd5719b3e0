"""The directory's one change pipeline: every writer records history, reindexes the full text
and tells the listeners (the observatory's recompute among them) after commit."""

import ast
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from maillage.directory.changes import (
    ChangeOrigin,
    DirectoryChange,
    directory_changed,
    register_directory_listener,
    unregister_directory_listener,
)
from maillage.directory.enums import RevisionAction
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.imports.mapping import Mapping
from maillage.directory.models import DuplicateCandidate, Lieu, Revision, Service, Structure
from maillage.directory.services import column_mapping_save, directory_object_update
from maillage.directory.services.demo import demo_directory_load
from maillage.directory.services.merging import duplicate_decide
from maillage.territories.models import Territoire
from tests.directory.factories import LieuFactory, LieuRowFactory, ServiceFactory, lieux_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The changes a listener hears, once committed."""
    changes: list[DirectoryChange] = []
    register_directory_listener(changes.append)
    yield changes
    unregister_directory_listener(changes.append)


@pytest.fixture
def superuser(make_user):
    return make_user("racine@example.fr", is_superuser=True, is_staff=True)


def _import(*rows, source="Réseau test"):
    return lieux_import(data=lieux_file(*rows), filename="l.json", source_name=source)


def _queued_recomputes() -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith="indicators_recompute_task", status="READY"
    ).count()


def _search(client, q):
    return [s["nom"] for s in client.get("/api/v1/services", {"q": q}).json()["results"]]


def _search_ids(q):
    from maillage.directory import fulltext

    return set(fulltext.ranks(q))


def _admin_form(client, url):
    form = client.get(url, secure=True).context["adminform"].form
    return {name: "" if form[name].value() is None else form[name].value() for name in form.fields}


def _history(obj):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("created_at", "pk")


def test_a_service_renamed_in_the_admin_is_found_by_its_new_name_and_survives_imports(
    client, superuser, django_capture_on_commit_callbacks
):
    """The admin is a writer like the others: the new name is indexed at once (the old one
    no longer finds the service), the edit is in the history with its author, and a newer
    file keeps it (« hand edits win » reads that history row)."""
    row = LieuRowFactory()
    _import(row)
    service = Service.objects.get()
    client.force_login(superuser)
    url = f"/admin/directory/service/{service.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {**_admin_form(client, url), "nom": "Atelier numérique Kerozar"}, secure=True
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _search(client, "Kerozar") == ["Atelier numérique Kerozar"]
    assert _search(client, "Médiation numérique Espace") == []
    edit = _history(service).last()
    assert (edit.action, edit.user, edit.import_run) == (RevisionAction.UPDATE, superuser, None)
    assert edit.changes["nom"][1] == "Atelier numérique Kerozar"

    _import(row)  # the same file again: nothing to do
    newer = _import({**row, "date_maj": "2024-06-01", "telephone": "02 98 11 22 33"})
    service.refresh_from_db()
    assert service.nom == "Atelier numérique Kerozar"
    assert service.lieux.get().telephone == "02 98 11 22 33"
    kept = [e for e in newer.errors if e.message.startswith("conservée")]
    assert [e.field for e in kept] == ["nom"] and "un administrateur" in kept[0].message
    assert _search(client, "Kerozar") == ["Atelier numérique Kerozar"]


def test_a_completion_import_records_history_and_queues_a_recompute(
    heard, django_capture_on_commit_callbacks
):
    """A services file adding categories to lieux of another source changes what the
    indicators count: its history row names the import, and the recompute is queued."""
    _import(LieuRowFactory(id="s1", services=""), source="Structures")
    column_mapping_save(
        source_name="Services",
        mapping=Mapping.from_dict(
            {
                "colonnes": {"id": "structure_id", "services": "thematiques"},
                "options": {"completer_source": "Structures"},
            }
        ),
    )
    DBTaskResult.objects.all().delete()
    heard.clear()
    data = lieux_file({"structure_id": "s1", "thematiques": ["numerique--acceder-a-du-materiel"]})
    with django_capture_on_commit_callbacks(execute=True):
        result = lieux_import(data=data, filename="services.json", source_name="Services")
    assert result.updated == 1
    service = Service.objects.get()
    revision = _history(service).last()
    assert (revision.action, revision.import_run_id) == (RevisionAction.IMPORT, result.run.pk)
    assert revision.changes["categories"][1] == ["Accès internet et matériel informatique"]
    assert [(c.origin, c.fields_of("service")) for c in heard] == [
        (ChangeOrigin.COMPLETION, {"categories"})
    ]
    assert _queued_recomputes() == 1


def test_a_completion_import_keeps_categories_chosen_by_hand(make_user):
    """Like a newer lieux file, a completion leaves the categories a person chose."""
    _import(LieuRowFactory(id="s1"), source="Structures")
    service = Service.objects.get()
    manager = make_user("gestion@example.fr")
    directory_object_update(obj=service, user=manager, data={"categories": []})
    column_mapping_save(
        source_name="Services",
        mapping=Mapping.from_dict(
            {
                "colonnes": {"id": "structure_id", "services": "thematiques"},
                "options": {"completer_source": "Structures"},
            }
        ),
    )
    data = lieux_file({"structure_id": "s1", "thematiques": ["numerique--acceder-a-du-materiel"]})
    result = lieux_import(data=data, filename="services.json", source_name="Services")
    assert (result.updated, result.unchanged) == (0, 1)
    assert not service.categories.exists()
    assert result.run.counts["champs_conserves"] == 1
    assert result.errors[0].message.startswith("conservée : modifiée à la main le")


def test_each_writer_goes_through_the_pipeline(
    client, superuser, heard, django_capture_on_commit_callbacks
):
    """Management space, import, merge, separation, completion, demo loader and admin:
    each leaves history rows and is heard once committed, with its origin."""
    with django_capture_on_commit_callbacks(execute=True):
        _import(LieuRowFactory(id="a"), LieuRowFactory(id="b", nom="Fablab de Morlaix"))
        lieu = Lieu.objects.get(nom="Fablab de Morlaix")
        imported = set(Lieu.objects.values_list("pk", flat=True))
        directory_object_update(obj=lieu, user=superuser, data={"telephone": "02 98 00 00 00"})
        client.force_login(superuser)
        url = f"/admin/directory/structure/{lieu.structure_id}/change/"
        client.post(url, {**_admin_form(client, url), "nom": "Fablab associatif"}, secure=True)
        demo_directory_load(list(Territoire.objects.filter(slug="pays-de-morlaix")))
    origins = [change.origin for change in heard]
    assert origins == [
        ChangeOrigin.IMPORT,
        ChangeOrigin.ESPACE,
        ChangeOrigin.ADMIN,
        ChangeOrigin.DEMO,
    ]
    assert heard[0].pks_of("lieu") == imported
    assert heard[1].fields_of("lieu") == {"telephone"}
    assert heard[2].fields_of("structure") == {"nom"}
    assert heard[3].pks_of("lieu") and all(
        item.action == RevisionAction.CREATE for item in heard[3].objects
    )
    structure = Structure.objects.get(pk=lieu.structure_id)
    assert [r.action for r in _history(structure)] == [RevisionAction.CREATE, RevisionAction.UPDATE]


def test_merges_and_separations_go_through_the_pipeline(
    superuser, heard, django_capture_on_commit_callbacks
):
    """A merge records itself on the kept lieu and the removed lieu's deletion; a
    separation records itself on both lieux. The merged lieu's services are reindexed."""
    street = {"adresse": "4 rue du Mur"}
    _import(LieuRowFactory(id="1", nom="France Services", **street), source="A")
    _import(LieuRowFactory(id="2", nom="Médiathèque", **street), source="B")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        duplicate_decide(candidate=DuplicateCandidate.objects.get(), merge=False, user=superuser)
        _import(LieuRowFactory(id="3", nom="Point numérique", **street), source="C")
        candidate = DuplicateCandidate.objects.filter(status="a_verifier").first()
        kept, removed = candidate.autre, candidate.lieu_id
        duplicate_decide(candidate=candidate, merge=True, user=superuser)
    assert [(c.origin, sorted({o.action for o in c.objects})) for c in heard] == [
        (ChangeOrigin.SEPARATION, [RevisionAction.SEPARATE]),
        (ChangeOrigin.SEPARATION, [RevisionAction.SEPARATE]),
        (ChangeOrigin.IMPORT, [RevisionAction.CREATE]),
        (ChangeOrigin.MERGE, [RevisionAction.MERGE]),
        (ChangeOrigin.MERGE, [RevisionAction.DELETE]),
    ]
    assert kept.services.count() == 2
    # The service that came with the removed lieu is now found by the kept lieu's name.
    assert set(kept.services.values_list("pk", flat=True)) <= _search_ids(kept.nom)
    assert _history(kept).last().action == RevisionAction.MERGE
    gone = Revision.objects.get(object_id=removed, action=RevisionAction.DELETE)
    assert gone.user == superuser and "fusion" in gone.changes


def test_an_import_is_heard_once_however_many_objects_and_merges(
    heard, django_capture_on_commit_callbacks
):
    """Listeners hear of a whole import as one change: a recompute is queued once."""
    _import(LieuRowFactory(id="a"), source="Producteur A")
    DBTaskResult.objects.all().delete()
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = _import(
            LieuRowFactory(id="x", nom="Espace numérique Morlaix"),
            LieuRowFactory(
                id="y",
                nom="Point numérique de Brest",
                commune="Brest",
                code_postal="29200",
                latitude=48.39,
                longitude=-4.486,
            ),
            source="Producteur B",
        )
    assert result.run.counts["fusionnes"] == 1
    assert len(heard) == 1 and heard[0].origin == ChangeOrigin.IMPORT
    assert {o.action for o in heard[0].objects} == {
        RevisionAction.CREATE,
        RevisionAction.MERGE,
        RevisionAction.DELETE,
    }
    assert _queued_recomputes() == 1


def test_a_reimport_that_changes_nothing_the_indicators_read_queues_no_recompute(
    django_capture_on_commit_callbacks,
):
    """A newer file that only changes a phone number moves no indicator."""
    row = LieuRowFactory()
    _import(row)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = _import({**row, "date_maj": "2024-06-01", "telephone": "02 98 11 22 33"})
    assert result.updated == 1
    assert _queued_recomputes() == 0


def test_deleting_in_the_admin_takes_services_out_of_search(client, superuser):
    """A deleted service leaves the index; a deleted lieu leaves its services' text; a
    deleted structure takes its lieux and services with it, all in the history."""
    lieu = LieuFactory(nom="Maison Kerjean")
    ServiceFactory(nom="Atelier Trezenn", structure=lieu.structure, lieux=[lieu])
    other = ServiceFactory(nom="Permanence Goulven", lieux=[lieu])
    client.force_login(superuser)
    assert _search(client, "Kerjean") == ["Atelier Trezenn", "Permanence Goulven"]
    client.post(f"/admin/directory/lieu/{lieu.pk}/delete/", {"post": "yes"}, secure=True)
    assert _search(client, "Kerjean") == []
    assert _search(client, "Goulven") == ["Permanence Goulven"]
    response = client.post(
        "/admin/directory/structure/",
        {"action": "delete_selected", "_selected_action": [other.structure_id], "post": "yes"},
        secure=True,
    )
    assert response.status_code == 302
    assert _search(client, "Goulven") == []
    assert client.get("/api/v1/services", {"q": "Goulven"}).json()["count"] == 0
    deletions = Revision.objects.filter(action=RevisionAction.DELETE)
    assert sorted(r.objet for r in deletions) == sorted(
        ["Maison Kerjean (Morlaix)", str(other.structure)]
    )


def test_a_failing_listener_is_logged_and_does_not_stop_the_others(
    heard, django_capture_on_commit_callbacks, caplog
):
    def broken(change):
        raise RuntimeError("listener en panne")

    register_directory_listener(broken)
    lieu = LieuFactory()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            directory_changed(obj=lieu, action=RevisionAction.CREATE, origin=ChangeOrigin.ADMIN)
    finally:
        from maillage.directory.changes import unregister_directory_listener as off

        off(broken)
    assert len(heard) == 1
    assert "directory listener broken failed" in caplog.text


def test_the_directory_imports_no_app_above_it():
    """The observatory reacts through a listener: no module of the directory imports it
    (nor orientation, referrals or the composition roots)."""
    above = (
        "maillage.observatory",
        "maillage.orientation",
        "maillage.referrals",
        "maillage.espace",
    )
    root = Path(__file__).resolve().parents[2] / "maillage" / "directory"
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [(path.name, n) for n in names if n.startswith(above)]
    assert found == []


def test_load_taxonomie_is_idempotent():
    from maillage.directory.models import Categorie
    from maillage.directory.taxonomy import taxonomie_rows

    call_command("load_taxonomie", verbosity=0)
    call_command("load_taxonomie", verbosity=0)
    assert Categorie.objects.count() == len(taxonomie_rows())
