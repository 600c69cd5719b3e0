"""The public HTTP API, version 1: each app contributes a ninja router."""

from ninja import NinjaAPI

from maillage.api.errors import JsonParser, register_error_handlers
from maillage.core.api import router as core_router
from maillage.core.throttle import api_throttles
from maillage.directory.api import router as directory_router
from maillage.observatory.api import router as observatory_router
from maillage.orientation.api import router as orientation_router
from maillage.territories.api import router as territories_router

api = NinjaAPI(
    title="API Maillage",
    version="1",
    description=(
        "API publique de Maillage : référentiel des territoires, annuaire, orientation, "
        "observatoire. Champs en français, réponses JSON. Chaque client a un débit limité "
        "(réponse 429 avec l'en-tête Retry-After au-delà)."
    ),
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=JsonParser(),
    # Per-client limits keyed by the real client address (maillage/core/throttle.py).
    throttle=api_throttles(),
)
register_error_handlers(api)
api.add_router("/", territories_router)
api.add_router("/", directory_router)
api.add_router("/", orientation_router)
api.add_router("/", observatory_router)
api.add_router("/", core_router)
