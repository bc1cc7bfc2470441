"""Pages of this app (mounted under /cases/)."""

app_name = "cases"
urlpatterns: list = []
