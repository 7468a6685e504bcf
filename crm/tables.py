"""Every table of the CRM: importing this module puts them all on ``db.metadata``, as Alembic
and the app factory need. Each domain package keeps its own tables in its ``models``."""

from crm.accounts import models as accounts  # noqa: F401
from crm.activities import models as activities  # noqa: F401
from crm.audit import models as audit  # noqa: F401
from crm.countries import models as countries  # noqa: F401
from crm.data import models as data  # noqa: F401
from crm.drafts import models as drafts  # noqa: F401
from crm.monitoring import models as monitoring  # noqa: F401
from crm.outreach import models as outreach  # noqa: F401
from crm.readiness import models as readiness  # noqa: F401
from crm.responses import models as responses  # noqa: F401
from crm.savedviews import models as savedviews  # noqa: F401
