"""Errors the web app shows to users: a status code and one clear sentence, never a traceback."""

from __future__ import annotations


class WebError(Exception):
    status_code = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadParameter(WebError):
    """A query parameter that is malformed or out of range (400)."""

    status_code = 400

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class NotFound(WebError):
    status_code = 404
