"""Who may do what with accounts."""

from pbapp.accounts.models import ADMIN, OFFICER
from pbapp.security import any_council_role, council_role, public, signed_in

ANYONE = public("anyone")
ACCOUNT_HOLDER = signed_in("account holder")
MANAGE_MEMBERS = council_role(ADMIN, name="council admin")
# Each sees only the mail of the councils where they hold one of these roles (accounts.services.outbox).
READ_OUTBOX = any_council_role(ADMIN, OFFICER, name="admin or officer of any council")
RUN_RESIDENCE = council_role(OFFICER, ADMIN, name="council officer or admin")
