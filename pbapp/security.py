"""Sign-in, password hashing, CSRF, rate limits, security headers and permission policies.

Every view declares a policy with `@requires(...)`; a test walks the URL map and fails for any
route without one, then checks each policy against every role.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, has_app_context, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlmodel import select

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, RESIDENT, Membership, User

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
_hasher = PasswordHasher()

ANONYMOUS = "anonymous"
ALL_ROLES = (ANONYMOUS, RESIDENT, FACILITATOR, OFFICER, ADMIN)


def _current_hasher() -> PasswordHasher:
    if has_app_context():
        return current_app.extensions.get("pbapp.hasher", _hasher)
    return _hasher


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _current_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_NOBODYS_HASHES: dict[tuple, str] = {}


def check_nobodys_password(password: str) -> None:
    """Verify `password` against a hash no account has, at the cost of checking an account's.

    For a sign-in with an unknown email, so that it takes as long as one with a known email: the
    hash is made by the hasher in use (once per process and set of parameters), so it costs what the
    accounts' own hashes cost.
    """
    hasher = _current_hasher()
    key = (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    if key not in _NOBODYS_HASHES:
        _NOBODYS_HASHES[key] = hasher.hash("not a real password, used to equalise timing")
    check_password(_NOBODYS_HASHES[key], password)


@dataclass(frozen=True)
class Policy:
    """Who may use a route: everyone, anyone signed in, or holders of roles in a council.

    `council_scoped` policies read the council from the route's `council` argument (its slug);
    `any_council` policies accept the role in any council.
    """

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    public: bool = False
    signed_in: bool = False
    council_scoped: bool = False

    def allows_role(self, role: str) -> bool:
        """Whether someone whose only role is `role` passes (used by the permission matrix)."""
        if self.public:
            return True
        if role == ANONYMOUS:
            return False
        if self.signed_in:
            return True
        return role in self.roles

    def allows(self, user, council_slug: str | None) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        if self.signed_in:
            return True
        return bool(user_roles(user.id, council_slug if self.council_scoped else None) & self.roles)


def public(name: str = "public") -> Policy:
    return Policy(name, public=True)


def signed_in(name: str = "signed in") -> Policy:
    return Policy(name, signed_in=True)


def council_role(*roles: str, name: str | None = None) -> Policy:
    return Policy(name or "council " + "/".join(roles), frozenset(roles), council_scoped=True)


def any_council_role(*roles: str, name: str | None = None) -> Policy:
    return Policy(name or "any council " + "/".join(roles), frozenset(roles))


def user_roles(user_id: int, council_slug: str | None) -> set[str]:
    """Roles a user holds in one council (by slug) or, with None, in any council."""
    from pbapp.councils.models import Council
    from pbapp.db import get_session

    cache = g.setdefault("role_cache", {})
    key = (user_id, council_slug)
    if key not in cache:
        query = select(Membership.role).where(Membership.user_id == user_id)
        if council_slug is not None:
            query = query.join(Council, Council.id == Membership.council_id).where(Council.slug == council_slug)
        cache[key] = set(get_session().exec(query).all())
    return cache[key]


def requires(policy: Policy) -> Callable:
    """Guard a view with a policy: anonymous people go to sign in, others get 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not policy.allows(current_user, kwargs.get("council")):
                if not current_user.is_authenticated:
                    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
                abort(403)
            return view(*args, **kwargs)

        guarded.permission = policy  # type: ignore[attr-defined]
        return guarded

    return decorate


def exempt_policy(view: Callable, policy: Policy) -> Callable:
    """Attach a policy to a view registered by an extension (static files)."""
    view.permission = policy  # type: ignore[attr-defined]
    return view


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


# Session keys that hold a voter's state: a letter code in use, or the receipt of a vote just sent.
VOTING_SESSION_KEYS = ("pb_codes", "pb_receipts")


def _personal(response) -> bool:
    """Whether the response may hold personal data: anything for a signed-in person or a voter, or sent to a POST."""
    if request.endpoint == "static":
        return False
    if request.method == "POST" or any(session.get(key) for key in VOTING_SESSION_KEYS):
        return True
    return getattr(current_user, "is_authenticated", False)


def _security_headers(response):
    """Add the headers every response carries, unless the view set its own (files set a stricter CSP)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}  # one pass, not one scan per header
    for name, value in current_app.extensions["pbapp.security_headers"]:
        if name.lower() not in present:
            headers.add(name, value)
    if "cache-control" not in present and _personal(response):
        # Account, ballot and officer pages must not be kept by the browser or a proxy (a view that
        # sets its own Cache-Control, such as a public picture, keeps it): the next
        # person at a shared computer could open them from the history or the back button.
        headers["Cache-Control"] = "no-store"
    return response


def _load_user(user_id: str):
    from pbapp.db import get_session

    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = get_session().get(User, int(ident))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def init_app(app: Flask) -> None:
    """Wire CSRF, sign-in, rate limits and headers into the app."""
    csrf.init_app(app)
    if app.config.get("FAST_PASSWORD_HASHING"):
        # Tests only: the lowest argon2 cost keeps hundreds of sign-ins fast.
        app.extensions["pbapp.hasher"] = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    # Decided once: production adds HSTS.
    app.extensions["pbapp.security_headers"] = _HEADERS + ((_HSTS,) if app.config.get("PRODUCTION") else ())
    app.after_request(_security_headers)


def roles_of(user) -> Iterable[str]:
    return user_roles(user.id, None) if user.is_authenticated else ()
