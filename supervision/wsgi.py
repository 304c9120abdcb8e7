import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: without a SECRET_KEY or ALLOWED_HOSTS (DEBUG off) the server
# stops here, naming the variable, instead of answering every request with an error.
from supervision.infra.checks import require_production_variables  # noqa: E402

require_production_variables()

# The objects of the loaded application (modules, URL resolvers, templates, translations: ~150,000)
# live as long as the worker. Frozen, the cyclic garbage collector stops walking them on every
# collection, and a larger first generation makes it run about once per page instead of dozens of
# times: measured on the finding list at large size, 2.5 ms → 0.4 ms of collection per request
# (docs/performance.md). Reference counting still frees almost everything at once; this only
# changes how often cycles are looked for.
gc.freeze()
gc.set_threshold(50_000, 20, 20)
