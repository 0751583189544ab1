from django.urls import path

from placebook.web.views import purchasing_brokerage as views

urlpatterns = [
    path("packages/", views.package_list, name="package-list"),
    # Before the detail route, which would otherwise read "new" as a reference.
    path("packages/new/", views.package_create, name="package-create"),
    path("packages/<str:reference>/", views.package_detail, name="package-detail"),
    path("packages/<str:reference>/open/", views.package_open, name="package-open"),
    path("packages/<str:reference>/evaluate/", views.package_evaluate, name="package-evaluate"),
    path("packages/<str:reference>/award/", views.package_award, name="package-award"),
    path("packages/<str:reference>/award/approve/", views.award_approve, name="award-approve"),
    path("packages/<str:reference>/award/reject/", views.award_reject, name="award-reject"),
    path("approvals/", views.approval_list, name="approval-list"),
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/direct-award/", views.direct_award, name="direct-award"),
    path("contracts/<str:reference>/", views.contract_detail, name="contract-detail"),
    path("spend/", views.spend_report, name="spend-report"),
    path("spend/committed-spend.csv", views.spend_report_csv, name="spend-report-csv"),
]
