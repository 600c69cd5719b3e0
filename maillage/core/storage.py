"""Static files storage for production: hashed names, compressed copies, no source maps.

The vendored front-end packages (Leaflet and its marker-cluster plugin, from PyPI) end their
minified files with a ``sourceMappingURL`` comment but do not ship the ``.map`` file. Django's
manifest storage would rewrite that reference and fail on the missing file, so this storage
keeps every other rewrite (``url()`` and ``@import`` in CSS) and leaves source-map comments
untouched: browsers simply find no map, as they would from the package itself.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: tuple) -> tuple:
    kept = []
    for extension, rules in patterns:
        rules = tuple(
            rule
            for rule in rules
            if "sourceMappingURL" not in (rule[0] if isinstance(rule, tuple) else rule)
        )
        if rules:
            kept.append((extension, rules))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
