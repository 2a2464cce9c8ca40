from django.urls import path

from kotapintar_lostfound import views

urlpatterns = [path("", views.index, name="index")]
