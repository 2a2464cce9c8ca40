"""City resolution, module switches and custom domains."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

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
        city = city_by_slug(slug)
        request.city = city
        # Core mounts every module's URLs under namespaces it owns (modules.namespace_owner): the switch
        # covers pages, API and extra mounts alike, with no check in the module's views.
        owner = next(filter(None, map(modules.namespace_owner, request.resolver_match.namespaces)), None)
        module, mount = owner or (None, None)
        if city is None:
            return self.not_found(request, mount, _("There is no city “%(city)s”.") % {"city": slug})
        timezone.activate(city.timezone)
        if module and not module.always_on and not module_is_active(city, module.id, request):
            return self.not_found(request, mount, _("“%(module)s” is not active for %(city)s.")
                                  % {"module": module.name, "city": city.name})
        return None

    @staticmethod
    def not_found(request, mount, message):
        if mount is not None and mount.not_found:
            return import_string(mount.not_found)(request, message)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=404)
        raise Http404(message)


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
