"""Who sees which home: each role its own; the footer pages are public."""

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER
from pbapp.deliberation.permissions import JurorPolicy
from pbapp.security import any_council_role, council_role, public, signed_in

ANYONE = public("anyone")
ACCOUNT_HOLDER = signed_in("account holder")
ADMIN_HOME = any_council_role(ADMIN, name="admin of any council")
OFFICER_HOME = council_role(OFFICER, ADMIN, name="council officer or admin")
FACILITATOR_HOME = any_council_role(FACILITATOR, name="facilitator in any council")
# A juror holds no council role; the service admits only people with a confirmed place on a jury.
JUROR_HOME = JurorPolicy("a juror of any jury", signed_in=True)
