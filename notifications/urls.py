"""Pages of this app (mounted under /notifications/)."""

app_name = "notifications"
urlpatterns: list = []
