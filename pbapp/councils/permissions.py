"""Who may do what with councils: their pages are public."""

from pbapp.security import public

ANYONE = public("anyone")
