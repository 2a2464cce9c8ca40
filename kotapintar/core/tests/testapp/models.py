"""A minimal workflow subject used only by the engine's tests (installed by settings_test)."""

from django.conf import settings
from django.db import models

from kotapintar.core.models import WorkflowSubject


class Case(WorkflowSubject):
    title = models.CharField(max_length=100)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        app_label = "testapp"

    def __str__(self):
        return self.title

    def workflow_roles(self, user):
        return {"applicant"} if user.pk == self.applicant_id else set()
