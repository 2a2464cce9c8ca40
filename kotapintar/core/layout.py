"""Busy public pages (a permit's status, say) for anonymous visitors: only the page's own content is
made per request; the layout around it (base.html: head, header, menu, language switch, footer) is
rendered once per process for each city, language and menu into a shell with marks where the
visitor's own parts go (the page's address in the sign-in and language links, the content).

Signed-in people, and visitors with a message waiting, get the same page rendered in full.
"""

import copy
import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kotapintar.core.context_processors import chrome_key

_MARK = f"kplayout{secrets.token_hex(8)}"
CONTENT, PATH, FULL_PATH = f"{_MARK}content", f"{_MARK}path", f"{_MARK}fullpath"
_SHELLS: dict[tuple, tuple[str, str]] = {}
SHELLS_MAX = 500


def render_public(request, content: str) -> HttpResponse:
    """`content` is the page's own HTML, already escaped (no POST form: it would get no CSRF token). The
    page keeps base.html's default title."""
    content = mark_safe(content)  # noqa: S308 (escaped by the caller)
    if not _anonymous_without_messages(request):
        return render(request, "layout_page.html", {"layout_content": content})
    path, full_path = quote(request.path), escape(request.get_full_path())
    before, after = (part.replace(PATH, path).replace(FULL_PATH, full_path) for part in _shell(request))
    return HttpResponse(before + content + after)


def _anonymous_without_messages(request) -> bool:
    """Without a session cookie nobody is signed in and no message waits in the session; the messages
    cookie is looked at too, and what this request added. Neither the user nor the session is loaded for
    such a visitor."""
    if getattr(getattr(request, "_messages", None), "_queued_messages", None):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return not request.user.is_authenticated and not get_messages(request)
    return "messages" not in request.COOKIES


def _shell(request) -> tuple[str, str]:
    city = getattr(request, "city", None)
    key = (city and chrome_key(request, city, set()), get_language(), city and city.primary_color,
           city and city.secondary_color)
    shell = _SHELLS.get(key)
    if shell is None:
        marked = copy.copy(request)
        marked.path, marked.get_full_path = PATH, lambda: FULL_PATH
        html = render_to_string("layout_page.html", {"layout_content": mark_safe(CONTENT)}, marked)
        shell = tuple(html.split(CONTENT, 1))
        if len(_SHELLS) >= SHELLS_MAX:
            _SHELLS.clear()
        _SHELLS[key] = shell
    return shell
