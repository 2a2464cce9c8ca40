from django.test import RequestFactory, override_settings

from kotapintar.core.http import client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_connection_address_counts_and_headers_are_ignored():
    assert client_ip(request("203.0.113.7", forwarded="1.2.3.4")) == "203.0.113.7"


@override_settings(KOTAPINTAR_TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims():
    assert client_ip(request("10.0.0.1", forwarded="6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request("10.0.0.1")) == "10.0.0.1"  # no header: the proxy itself
