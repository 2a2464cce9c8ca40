"""Pages of the complaints module for officials (being written)."""

from django.http import Http404


def _todo(request, city, **kwargs):
    raise Http404


queue = office_detail = office_act = office_assign = office_comment = office_merge = office_moderate = _todo
admin_home = admin_category = admin_standard = admin_keys = admin_key_revoke = _todo
