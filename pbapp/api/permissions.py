"""Who may read the API: everyone, without signing in (it holds only what the public pages show)."""

from pbapp.security import public

ANYONE = public("anyone")
