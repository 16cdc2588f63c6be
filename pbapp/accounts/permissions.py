"""Who may do what with accounts."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import any_council_role, council_role, public, signed_in

ANYONE = public("anyone")
ACCOUNT_HOLDER = signed_in("account holder")
MANAGE_MEMBERS = council_role(ADMIN, name="council admin")
READ_OUTBOX = any_council_role(ADMIN, name="admin of any council")
RUN_RESIDENCE = council_role(OFFICER, ADMIN, name="council officer or admin")
