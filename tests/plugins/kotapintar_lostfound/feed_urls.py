from django.urls import path

from kotapintar_lostfound import views

urlpatterns = [path("items.json", views.feed, name="items")]
