"""Who may do what in participatory budgeting: the public reads and votes, officers run the process."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import council_role, public, signed_in

ANYONE = public("anyone")
ACCOUNT_HOLDER = signed_in("account holder")
RUN_PB = council_role(OFFICER, ADMIN, name="council officer or admin")
