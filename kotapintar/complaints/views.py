"""Pages of the complaints module for citizens and the public (being written)."""

from django.http import Http404


def _todo(request, city, **kwargs):
    raise Http404


report_list = report_new = category_questions = report_nearby = track = mine = stats = services = _todo
detail = confirm = add_info = reporter_act = rate = support = _todo
