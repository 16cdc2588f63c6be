"""Who may do what with a place's public money: everyone reads it; council officers and admins keep it."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import council_role, public, signed_in

ANYONE = public("anyone")
KEEP_PLACE = council_role(OFFICER, ADMIN, name="council officer or admin")
SIGNED_IN = signed_in("signed in (a verified resident to open or sign a petition)")
