"""The directory's part of the management space: editing structures, lieux and services,
closing reports, importing files and writing column mappings (URL namespace
`directory_espace`). `selectors.espace_summary` gives the space's home its directory part."""
