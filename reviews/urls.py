"""Pages of this app (mounted under /reviews/)."""

app_name = "reviews"
urlpatterns: list = []
