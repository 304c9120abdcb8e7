"""Bench-only settings: the product's settings with the bench URL conf (adds a trivial view).

Used only by benchmarks/run.py's gunicorn (``DJANGO_SETTINGS_MODULE=benchmarks.settings``): the
product's settings do not read ROOT_URLCONF from the environment, and the trivial view must not
be part of the product's URLs.
"""

import os

from supervision.settings import *  # noqa: F403

ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "benchmarks.urls")
