"""Who may do what with the budget-setting record: everyone reads it; officers and admins keep it."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import council_role, public

ANYONE = public("anyone")
KEEP_RECORD = council_role(OFFICER, ADMIN, name="council officer or admin")
