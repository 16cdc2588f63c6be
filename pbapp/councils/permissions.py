"""Who may do what with councils: their pages are public; a council's admins set it up."""

from pbapp.accounts.models import ADMIN
from pbapp.security import any_council_role, council_role, public

ANYONE = public("anyone")
SET_UP_COUNCIL = council_role(ADMIN, name="council admin")
# An admin of a council may add another (a shared service running several councils); they become
# its first admin. No one can take over a council that exists.
CREATE_COUNCIL = any_council_role(ADMIN, name="admin of any council")
