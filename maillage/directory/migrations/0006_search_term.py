from django.db import migrations

from maillage.directory import fulltext


class Migration(migrations.Migration):
    """The vocabulary of the full-text index, for typo tolerance (same table on both databases)."""

    dependencies = [("directory", "0005_import_mapping_signalement_revision")]

    operations = [migrations.RunPython(fulltext.create_vocabulary, fulltext.drop_vocabulary)]
