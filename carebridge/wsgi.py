import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from carebridge.core.bodies import chunked_bodies_read

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
application = chunked_bodies_read(
    get_wsgi_application(), limit=lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE
)
