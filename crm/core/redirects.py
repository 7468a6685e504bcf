"""Where a form or a link may send the browser back to: only a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``.

    Refused: anything with a scheme or a host, a path starting with ``//``, and any backslash or
    control character — browsers read ``/\\evil.example`` and ``/<TAB>/evil.example`` as
    ``//evil.example``, another site (an open redirect).
    """
    text = target or ""
    if not text.startswith("/") or text.startswith("//"):
        return default
    if "\\" in text or any(ord(char) < 32 or ord(char) == 127 for char in text):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    return text
