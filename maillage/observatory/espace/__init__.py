"""The observatory's pages of the management space (/espace/indicateurs/): indicators imported
from a file."""
