import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
application = get_wsgi_application()

from zoufang.core import heap  # noqa: E402 - after Django is set up

heap.settle()  # the loaded heap out of the collector's way (zoufang/core/heap.py)
