"""The public site's composition root, at the top of the layering: the home page, the static
pages (accessibility) and `maillage serve`, which prepares every app's data. It may import
any app; no app imports it."""
