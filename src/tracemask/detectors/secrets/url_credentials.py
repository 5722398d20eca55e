"""Passwords in the userinfo of URLs: ``scheme://user:password@host``.

Database DSNs (``postgres://``, ``mysql://``, ``mongodb+srv://``), brokers (``redis://``,
``amqp://``), HTTP(S) and others. Only the password is reported (``PASSWORD``); the scheme, the
user and the host stay readable. A password may itself hold ``@`` or ``:``: the userinfo ends at
the last ``@`` before the host. Userinfo is printable ASCII (RFC 3986 percent-encodes the rest);
placeholders (``<password>``, ``${DB_PASSWORD}``), ports (``host:443@``) and plain words
(``github://org:repo@sha``) are not reported.
"""

from __future__ import annotations

from urllib.parse import unquote

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import ascii_patterns, is_placeholder, is_wordy

#: Printable ASCII allowed in a user name: not blank, ``"#'/:<>?@``.
_USER = r"[!$-&(-.0-9;=A-~]"
#: ... and in a password, which may hold ``:`` and ``@`` (the last ``@`` ends it), and ``#``:
#: DSNs are written by hand with raw ``#`` in passwords, although URL parsers read a fragment.
_PASSWORD = r"[!#-&(-.0-;=@-~]"
_PASSWORD_TO_AT = r"[!#-&(-.0-;=A-~]"


class UrlCredentials(PatternDetector):
    """The password part of ``scheme://user:password@host`` userinfo."""

    entity = "PASSWORD"
    # Above the email detector's 0.9: in ``user:pa#ss!x@db.host`` the tail ``x@db.host`` also
    # looks like an address, and the longer email span would otherwise win the overlap.
    score = 0.95
    trigger = rf"://{_USER}{{0,128}}:{_PASSWORD_TO_AT}{{0,256}}@"
    patterns = ascii_patterns(
        rf"://(?<=[A-Za-z0-9+.-]://){_USER}{{0,128}}:"
        rf"(?P<value>{_PASSWORD}{{1,256}})@(?=[A-Za-z0-9\[_%-])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        decoded = unquote(value)
        if is_placeholder(decoded) or value.startswith("@"):
            return None
        if all(c.isalpha() or c == " " for c in decoded) and (is_wordy(decoded) or len(value) < 6):
            return None  # github://org:repo@sha, https://jo:a%20secret@host: words, not passwords
        if value.isdigit() and len(value) <= 5:
            return None  # scheme://host:port@… (a port, as in phishing links), not a password
        return self.score
