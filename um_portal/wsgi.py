import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
# This process serves web requests: its database connections get the web statement timeout
# (settings.WEB_STATEMENT_TIMEOUT). Workers and `manage.py migrate` never import this file.
os.environ["UM_WEB_PROCESS"] = "1"
application = get_wsgi_application()
