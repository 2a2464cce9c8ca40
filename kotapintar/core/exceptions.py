"""Refusals that services raise and every interface (pages, REST API, Open311) answers alike."""


class RateLimited(Exception):
    """Too many requests from one source; the message says so in the user's language (HTTP 429)."""
