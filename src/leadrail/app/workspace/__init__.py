"""The workspace document: the YAML file, the JSON of ``/api/v1/workspace``, one shape.

Shapes are checked by Pydantic; cross references (teams, users, lists, rule conditions) by
``check_references``. Every problem is reported with its path, e.g.
``routers[2].rules[0].when.op: unknown operator 'equalz' (did you mean 'equals'?)``.

One module per section; every name is importable from here (``from leadrail.app.workspace
import RouterDoc``).
"""

from leadrail.app.workspace.branding import BrandingDoc, Language
from leadrail.app.workspace.common import (
    CREDENTIAL_PREFIX,
    EMAIL,
    SLUG,
    STORED,
    URL_CHECK,
    Doc,
    Email,
    EnvName,
    Name,
    Slug,
    check_env_name,
    check_outbound,
    check_timezone,
    is_credential_name,
    is_stored,
    lower_text,
    url_origin,
)
from leadrail.app.workspace.crm import (
    CrmCompanyDoc,
    CrmConnectionDoc,
    CrmContactDoc,
    CrmDoc,
    CrmEnrichmentDoc,
    CrmLeadDoc,
    CrmMappingDoc,
    CrmOpportunityDoc,
)
from leadrail.app.workspace.document import (
    SECTIONS,
    WorkspaceDoc,
    format_loc,
    parse_workspace,
    problems_from,
)
from leadrail.app.workspace.leads import (
    CategoryDoc,
    DestinationDoc,
    StoreDoc,
)
from leadrail.app.workspace.people import (
    CalendarDoc,
    CapsDoc,
    ListDoc,
    TeamDoc,
    TeamMemberDoc,
    UserDoc,
    VacationDoc,
)
from leadrail.app.workspace.routers import (
    MatchKind,
    MeetingTypeDoc,
    OwnershipDoc,
    RouteDoc,
    RouterCrmDoc,
    RouterDoc,
    RuleDoc,
)
from leadrail.app.workspace.sites import (
    LiveChatDoc,
    LiveDoc,
    LiveStepDoc,
    OfferKind,
    Origin,
    QuestionDoc,
    SiteDoc,
)

__all__ = [
    "BrandingDoc",
    "Language",
    "CREDENTIAL_PREFIX",
    "CalendarDoc",
    "CapsDoc",
    "CategoryDoc",
    "CrmCompanyDoc",
    "CrmConnectionDoc",
    "CrmContactDoc",
    "CrmDoc",
    "CrmEnrichmentDoc",
    "CrmLeadDoc",
    "CrmMappingDoc",
    "CrmOpportunityDoc",
    "DestinationDoc",
    "Doc",
    "EMAIL",
    "Email",
    "EnvName",
    "ListDoc",
    "LiveChatDoc",
    "LiveDoc",
    "LiveStepDoc",
    "MatchKind",
    "MeetingTypeDoc",
    "Name",
    "OfferKind",
    "Origin",
    "OwnershipDoc",
    "QuestionDoc",
    "RouteDoc",
    "RouterCrmDoc",
    "RouterDoc",
    "RuleDoc",
    "SECTIONS",
    "SLUG",
    "STORED",
    "SiteDoc",
    "Slug",
    "StoreDoc",
    "TeamDoc",
    "TeamMemberDoc",
    "URL_CHECK",
    "UserDoc",
    "VacationDoc",
    "WorkspaceDoc",
    "check_env_name",
    "check_outbound",
    "check_timezone",
    "format_loc",
    "is_credential_name",
    "is_stored",
    "lower_text",
    "parse_workspace",
    "problems_from",
    "url_origin",
]
