"""Request helpers shared by the modules."""

from django.conf import settings


def client_ip(request) -> str:
    """The address of the person who sent the request. Behind `KOTAPINTAR_TRUSTED_PROXIES` reverse
    proxies, each of which appends the address it saw to X-Forwarded-For, that is the entry the first
    proxy wrote; entries further left are whatever the client claimed and are not trusted."""
    proxies = settings.KOTAPINTAR_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
