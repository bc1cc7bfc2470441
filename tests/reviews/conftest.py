"""The provider-side case states (a pended case, a decided one) for the provider requests
that now live in reviews (reviews.services.provider_requests)."""

from tests.cases.conftest import PDF_BYTES, decided, pended  # noqa: F401 - fixtures shared with tests/cases
