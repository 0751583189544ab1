from django.urls import path

from placebook.web.views import indicators as views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="indicator-list"),
    path("catalogue/<slug:code>/", views.indicator_detail, name="indicator-detail"),
]
