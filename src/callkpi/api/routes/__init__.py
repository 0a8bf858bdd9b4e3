"""One module per resource; each is an APIRouter mounted under /api/v1."""
