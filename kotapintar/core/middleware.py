"""City resolution, module switches and custom domains."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone, translation

from kotapintar.core import modules
from kotapintar.core.selectors import city_by_slug, city_slug_for_domain, module_is_active

PLATFORM_PREFIXES = ("/static/", "/api/", "/admin/", "/accounts/", "/healthz", "/i18n/", "/documents/")


class CustomDomainMiddleware:
    """A request to a city's own domain is served as that city: `/x` is routed as `/<slug>/x`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host().split(":")[0].lower()
        slug = city_slug_for_domain(host)
        if slug and not request.path_info.startswith(PLATFORM_PREFIXES + (f"/{slug}/",)):
            request.path_info = f"/{slug}{request.path_info}"
        return self.get_response(request)


class CityModuleMiddleware:
    """For every URL with a `city` argument: load the city (404 if unknown), show times in its zone,
    and answer 404 when the URL belongs to a module the city has switched off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        timezone.deactivate()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("city")
        if slug is None:
            request.city = None
            return None
        api = request.path_info.startswith("/api/")
        city = city_by_slug(slug)
        request.city = city
        if city is None:
            return JsonResponse({"detail": "City not found."}, status=404) if api else self.not_found()
        timezone.activate(city.timezone)
        for app_name in request.resolver_match.app_names:
            # UI namespaces are named after the module ("permits"), API ones "<module>-api".
            module = modules.get(app_name.removesuffix("-api"))
            if module and not module.always_on and not module_is_active(city, module.id, request):
                return JsonResponse({"detail": "Module is not active for this city."}, status=404) if api \
                    else self.not_found()
        return None

    @staticmethod
    def not_found():
        raise Http404("Not active for this city.")


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose English (language cookie set by /i18n/setlang/).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: a city official's
    English-language browser still gets the Indonesian UI until they switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
