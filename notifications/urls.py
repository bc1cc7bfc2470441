"""Pages of this app (mounted under /notifications/)."""

from .urls_contact import urlpatterns as contact_urlpatterns

app_name = "notifications"
urlpatterns: list = [*contact_urlpatterns]
