"""Errors of the LRS, each with the HTTP status the xAPI specification names for it."""

from __future__ import annotations


class LRSError(Exception):
    """A request the LRS refuses; ``status`` is the HTTP status code to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class BadRequest(LRSError):
    def __init__(self, message: str):
        super().__init__(400, message)


class Conflict(LRSError):
    def __init__(self, message: str):
        super().__init__(409, message)


class NotFound(LRSError):
    def __init__(self, message: str):
        super().__init__(404, message)


class Forbidden(LRSError):
    def __init__(self, message: str):
        super().__init__(403, message)


class PreconditionFailed(LRSError):
    def __init__(self, message: str):
        super().__init__(412, message)
