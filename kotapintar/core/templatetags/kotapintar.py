"""Template helpers: Rupiah, terbilang, masking, menu links, the page layout's cached fragments."""

import functools
from urllib.parse import quote as urlquote

from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

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


# -- the page layout -------------------------------------------------------------------------------
# Rendered parts of base.html that are the same for everyone with the same values (the city's header
# and menu, the language switch, the footer), kept in this process's memory: a dict lookup per
# fragment, where Django's {% cache %} hashes the key, locks and unpickles. The values name everything
# a fragment depends on, so a change (a city's name, its modules, a role) gives a new key at once.
_CHROME: dict[tuple, str] = {}
CHROME_MAX = 2000


class ChromeNode(template.Node):
    def __init__(self, nodelist, name: str, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        key = (self.name, *(value.resolve(context) for value in self.values))
        html = _CHROME.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_CHROME) >= CHROME_MAX:
                _CHROME.clear()
            _CHROME[key] = html
        return html


@register.tag
def chrome(parser, token):
    """{% chrome name value... %}...{% endchrome %}: the fragment is rendered once per process for each
    combination of the values."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% chrome %} needs a fragment name.")
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


@functools.cache
def _login_path() -> str:
    return resolve_url(settings.LOGIN_URL)


@register.simple_tag(takes_context=True)
def sign_in_link(context):
    """The header's sign-in link, back to this page afterwards."""
    path, login = context["request"].path, _login_path()
    return format_html('<li><a href="{}{}">{}</a></li>', login,
                       "" if path == login else "?next=" + urlquote(path), gettext("Sign in"))
