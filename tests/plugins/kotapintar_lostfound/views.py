from django.http import HttpResponse, JsonResponse

from kotapintar.core.services.modules import module_config_get


def index(request, city):
    return HttpResponse(f"Lost and found of {request.city.name}, open "
                        f"{module_config_get(request.city, 'lostfound')['office_hours']}")


def api_items(request, city):
    return JsonResponse({"city": request.city.slug, "items": []})


def feed(request, city):
    return JsonResponse({"feed": request.city.slug})
