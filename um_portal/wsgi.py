import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
# This process serves web requests: its database connections get the web statement timeout
# (settings.WEB_STATEMENT_TIMEOUT). Workers and `manage.py migrate` never import this file.
os.environ["UM_WEB_PROCESS"] = "1"
application = get_wsgi_application()

# Import the URLconf, every module it includes (all the views) and its reverse lookups now,
# not in the first request: that cost each gunicorn worker's first request about 0.7 s, and
# the 8 or so requests queued behind it as long (issue #13: the p99 of a bench's first
# round). With gunicorn.conf.py's preload_app the master does it once, before forking: a
# worker, recycled ones too, starts warm. Opens no database or cache connection (a socket
# made before the fork would be shared by every worker): tests/um_portal/test_wsgi_warm.py.
get_resolver().reverse_dict  # noqa: B018 - reading it populates the resolver
