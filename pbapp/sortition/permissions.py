"""Who may do what with pools and selections: officers and admins run them; reports are public."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import council_role, public

ANYONE = public("anyone")
MANAGE_POOLS = council_role(OFFICER, ADMIN, name="council officer or admin")
PERSONAL_DATA = council_role(OFFICER, ADMIN, name="council officer or admin (personal data)")
