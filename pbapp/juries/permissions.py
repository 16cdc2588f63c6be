"""Who may do what with juries: officers and admins run them; a facilitator sees their own jury.

Object-level rule (in services.jury_for): a facilitator reaches only the juries they facilitate.
"""

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER
from pbapp.security import council_role, public

ANYONE = public("anyone")
MANAGE_JURIES = council_role(OFFICER, ADMIN, name="council officer or admin")
SEE_JURY = council_role(OFFICER, ADMIN, FACILITATOR, name="council officer, admin or the jury's facilitator")
PERSONAL_DATA = council_role(OFFICER, ADMIN, name="council officer or admin (personal data)")
