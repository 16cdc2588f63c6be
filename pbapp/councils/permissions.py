"""Who may do what with councils: their pages are public; a council's admins set it up."""

from pbapp.accounts.models import ADMIN
from pbapp.security import council_role, public

ANYONE = public("anyone")
SET_UP_COUNCIL = council_role(ADMIN, name="council admin")
