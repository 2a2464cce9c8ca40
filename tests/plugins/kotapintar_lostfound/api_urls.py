from django.urls import path

from kotapintar_lostfound import views

urlpatterns = [path("items/", views.api_items, name="items")]
