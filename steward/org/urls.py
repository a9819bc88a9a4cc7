from django.urls import path

from steward.org import views

app_name = "org"

urlpatterns = [
    path("orgs/", views.OrgListView.as_view(), name="org_list"),
    path("orgs/add/", views.OrgCreateView.as_view(), name="org_add"),
    path("orgs/<int:pk>/", views.OrgDetailView.as_view(), name="org_detail"),
    path("orgs/<int:pk>/edit/", views.OrgEditView.as_view(), name="org_edit"),
    path("orgs/<int:pk>/move/", views.OrgMoveView.as_view(), name="org_move"),
    path("orgs/<int:pk>/active/", views.OrgActiveView.as_view(), name="org_active"),
    path("branches/", views.BranchListView.as_view(), name="branch_list"),
    path("employees/", views.EmployeeListView.as_view(), name="employee_list"),
    path("employees/add/", views.EmployeeCreateView.as_view(), name="employee_add"),
    path("employees/online/", views.OnlineUsersView.as_view(), name="online_users"),
    path("employees/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee_detail"),
    path("employees/<int:pk>/edit/", views.EmployeeEditView.as_view(), name="employee_edit"),
    path("employees/<int:pk>/grade/", views.EmployeeGradeView.as_view(), name="employee_grade"),
    path("employees/<int:pk>/move/", views.EmployeeMoveView.as_view(), name="employee_move"),
    path("employees/<int:pk>/status/", views.EmployeeStatusView.as_view(), name="employee_status"),
    path("employees/<int:pk>/roles/add/", views.RoleAssignView.as_view(), name="employee_assign_role"),
    path("employees/<int:pk>/roles/revoke/", views.RevokeAssignmentView.as_view(), name="employee_revoke_role"),
]
