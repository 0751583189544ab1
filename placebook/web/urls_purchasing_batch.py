from django.urls import path

from placebook.web.views import purchasing_batch as views

urlpatterns = [
    path("brokerage/", views.run_list, name="batch-list"),
    path("brokerage/<int:pk>/", views.run_detail, name="batch-detail"),
]
