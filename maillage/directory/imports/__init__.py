"""The import pipeline of the directory: files of lieux (and of services) into the directory.

    reader.py        the one reader: CSV, XLSX, JSON or GeoJSON bytes → `Table` (read once)
    standard.py      the national standard of lieux de médiation numérique, every generation
    schema_check.py  the official Table Schema, checked with frictionless on the parsed table
    mapping.py       column mappings for producers' own files (and the shipped ones)
    lambert93.py     Lambert-93 ↔ WGS 84
    french_hours.py  opening hours written in French → OpenStreetMap
    communes.py      the commune of each lieu (INSEE code, postal code, name, point)
    lieux.py         `lieux_import`: read → validate → upsert → change pipeline → dedup
    upsert.py        one valid row written (hand edits kept)
    completion.py    a services file completing lieux imported from another source
    uploads.py       files uploaded in the management space, imported by the worker
    progress_file.py live progress of a running import on SQLite
    errors.py        `FileFormatError` (the whole file) and `RowError` (one row)

The pure modules (reader, standard, schema_check, mapping, lambert93, french_hours, errors)
have no ORM import and are tested without a database. Other apps import from here what they
need to read a file (`read_table`, `FileFormatError`, `RowError`); `lieux_import` is in
`maillage.directory.imports.lieux` (this package stays free of the ORM at import time, since
the models read `progress_file`).
"""

from .errors import FileFormatError, RowError
from .reader import Table, read_table

__all__ = ["FileFormatError", "RowError", "Table", "read_table"]
