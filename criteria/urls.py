"""Pages of this app (mounted under /criteria/)."""

app_name = "criteria"
urlpatterns: list = []
