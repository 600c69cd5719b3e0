from django.conf import settings
from django.http import HttpRequest


def maillage(request: HttpRequest) -> dict:
    return {
        "MAILLAGE_TILE_URL": settings.MAILLAGE_TILE_URL,
        "MAILLAGE_TILE_ATTRIBUTION": settings.MAILLAGE_TILE_ATTRIBUTION,
    }
