"""Celery application. Without a broker (embedded default) tasks run in-process (eager).

Celery beat's schedule is the modules' periodic jobs (their manifests' `periodic`); the embedded
`kotapintar run` runs the same jobs itself."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")

app = Celery("kotapintar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_module_jobs(sender, **kwargs):
    from kotapintar.core import modules

    sender.conf.beat_schedule = {job.name: {"task": job.task, "schedule": float(job.seconds)}
                                 for job in modules.periodic_jobs()}
