from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "kotapintar.core.tests.testapp"
    label = "testapp"
