"""/api/v1/: the standard interfaces for external systems (PLT-11)."""

from rest_framework.routers import DefaultRouter

from steward.access.api.views import ApiTokenViewSet, RoleAssignmentViewSet, RoleViewSet
from steward.agenda.api.views import CalendarEntryViewSet, CalendarNoteViewSet
from steward.allocation.api.views import AllocationRuleViewSet, AllocationRunViewSet
from steward.approvals.api.views import ApplicationViewSet
from steward.attendance.api.views import AttendanceDayViewSet, QuotaViewSet, TaskCalendarViewSet
from steward.audit.api.views import AuditEntryViewSet
from steward.basedata.api.views import CalendarDayViewSet, CodeTableViewSet, SystemParameterViewSet
from steward.channels.api.views import OutboundMessageViewSet
from steward.contactplans.api.views import ContactPlanViewSet
from steward.customers.api.views import CustomerViewSet, OwnershipConflictViewSet
from steward.holdings.api.views import (
    ImportantDateViewSet,
    IntakeBatchViewSet,
    IntakeDayViewSet,
    IntakeRejectedRowViewSet,
    ReminderViewSet,
)
from steward.imports.api.views import ImportRunViewSet
from steward.interactions.api.calls import CallRecordViewSet
from steward.interactions.api.views import InteractionViewSet
from steward.jobs.api.views import JobRunViewSet, JobViewSet
from steward.leads.api.views import InstitutionViewSet, LeadOpportunityViewSet, LeadViewSet, ProtectionRuleViewSet
from steward.notices.api.views import MyNoticeViewSet, NoticeViewSet
from steward.org.api.views import EmployeeViewSet, OrgViewSet
from steward.segments.api.views import SegmentViewSet
from steward.tags.api.views import (
    CustomerGroupViewSet,
    CustomerTagViewSet,
    GroupMemberViewSet,
    TagCategoryViewSet,
    TagViewSet,
)
from steward.tasks.api.views import TaskCategoryViewSet, TaskItemViewSet, TaskViewSet
from steward.worklog.api.views import (
    GuidanceViewSet,
    WorkEntryViewSet,
    WorkflowRunViewSet,
    WorkflowTemplateViewSet,
    WorkItemViewSet,
)

router = DefaultRouter()
# No ".json" twins of every route: the extra actions do not take a `format` argument (a 500), and
# clients choose the format with the Accept header or ?format=json (PLT-11).
router.include_format_suffixes = False
router.register("orgs", OrgViewSet)
router.register("employees", EmployeeViewSet)
router.register("roles", RoleViewSet)
router.register("role-assignments", RoleAssignmentViewSet)
router.register("api-tokens", ApiTokenViewSet)
router.register("code-tables", CodeTableViewSet)
router.register("parameters", SystemParameterViewSet)
router.register("calendar-days", CalendarDayViewSet)
router.register("applications", ApplicationViewSet)
router.register("audit-entries", AuditEntryViewSet)
router.register("jobs", JobViewSet)
router.register("job-runs", JobRunViewSet)
router.register("notices", NoticeViewSet)
router.register("my-notices", MyNoticeViewSet, basename="my-notice")
router.register("customers", CustomerViewSet)
router.register("ownership-conflicts", OwnershipConflictViewSet)
router.register("intake-batches", IntakeBatchViewSet)
router.register("intake-rejected-rows", IntakeRejectedRowViewSet)
router.register("intake-days", IntakeDayViewSet)
router.register("import-runs", ImportRunViewSet)
router.register("segments", SegmentViewSet)
router.register("tag-categories", TagCategoryViewSet)
router.register("tags", TagViewSet)
router.register("customer-tags", CustomerTagViewSet)
router.register("customer-groups", CustomerGroupViewSet)
router.register("group-members", GroupMemberViewSet)
router.register("work-entries", WorkEntryViewSet)
router.register("contact-plans", ContactPlanViewSet)
router.register("leads", LeadViewSet)
router.register("lead-opportunities", LeadOpportunityViewSet)
router.register("lead-protection-rules", ProtectionRuleViewSet)
router.register("lead-institutions", InstitutionViewSet)
router.register("task-categories", TaskCategoryViewSet)
router.register("tasks", TaskViewSet)
router.register("task-items", TaskItemViewSet)
router.register("allocation-rules", AllocationRuleViewSet)
router.register("allocation-runs", AllocationRunViewSet)
router.register("work-items", WorkItemViewSet)
router.register("guidance", GuidanceViewSet)
router.register("workflow-runs", WorkflowRunViewSet)
router.register("workflow-templates", WorkflowTemplateViewSet)
router.register("reminders", ReminderViewSet)
router.register("important-dates", ImportantDateViewSet)
router.register("calendar-notes", CalendarNoteViewSet)
router.register("calendar-entries", CalendarEntryViewSet, basename="calendar-entry")
router.register("outbound-messages", OutboundMessageViewSet)
router.register("interactions", InteractionViewSet)
router.register("calls", CallRecordViewSet)
router.register("attendance-days", AttendanceDayViewSet)
router.register("quotas", QuotaViewSet)
router.register("task-calendar", TaskCalendarViewSet, basename="task-calendar")

app_name = "api"
urlpatterns = router.urls
