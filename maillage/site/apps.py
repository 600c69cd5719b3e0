from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "maillage.site"
    label = "site"
    verbose_name = "Site public"
