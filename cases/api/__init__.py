"""The public API v1 of the cases app (API.md): directory, authorizations, provider actions."""
