#!/usr/bin/env python
"""Django's command-line utility; `maillage X` is the same as `python manage.py X`."""

from maillage.cli import main

if __name__ == "__main__":
    main()
