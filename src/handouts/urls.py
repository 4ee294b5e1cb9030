"""What an address in content may be: https, a host, no credentials, nothing invisible.

One function for every address content gives (a source's ``url`` and ``archive_url``, a
contact's website): the check reports what it finds, and ``verify-sources`` refuses to fetch an
address the check would refuse, so the two can never disagree about what is allowed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Longer than any real address; a 3,000-character URL is a layout attack, not a citation.
MAX_URL_CHARS = 500
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def url_problem(url: str) -> tuple[str, str] | None:
    """``(rule, reason)`` when ``url`` is not a plain https address, else None.

    ``source-not-https`` for another scheme, no host or a malformed address;
    ``url-credentials`` for ``https://user:password@host`` (a password printed on a handout,
    or sent with every request).
    """
    if not url.lower().startswith("https://"):
        return "source-not-https", "must start with https://"
    if len(url) > MAX_URL_CHARS:
        return "source-not-https", f"longer than {MAX_URL_CHARS} characters"
    if _INVISIBLE.search(url):
        return "source-not-https", "holds spaces or invisible characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number
    except ValueError as exc:
        return "source-not-https", f"is not a valid address ({exc})"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "url-credentials", "holds a user name or password; cite the public address"
    if not parts.hostname:
        return "source-not-https", "names no host"
    del port
    return None
