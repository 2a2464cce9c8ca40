"""Celery application. Without a broker (embedded default) tasks run in-process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")

app = Celery("kotapintar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
