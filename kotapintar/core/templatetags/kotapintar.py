"""Template helpers: Rupiah, terbilang, masking, menu links."""

from django import template
from django.urls import reverse

from kotapintar.core import formatting

register = template.Library()


@register.filter
def rupiah(value):
    return formatting.rupiah(value)


@register.filter
def terbilang(value):
    return formatting.terbilang(value)


@register.filter
def mask_nik(value):
    return formatting.mask_nik(value)


@register.filter
def mask_name(value):
    return formatting.mask_name(value)


@register.filter
def mask_phone(value):
    return formatting.mask_phone(value)


@register.simple_tag
def city_url(name, city):
    """Link to a city page by URL name, e.g. a module's menu entry."""
    return reverse(name, kwargs={"city": city.slug})
