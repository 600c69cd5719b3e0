from django.db import migrations

from maillage.directory import fulltext


class Migration(migrations.Migration):
    """The full-text table of services: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(fulltext.create_table, fulltext.drop_table)]
