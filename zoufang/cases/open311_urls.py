"""/open311/v2/: GeoReport v2 in JSON and XML."""

from django.urls import path, re_path

from zoufang.cases import open311

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^services\.{FMT}$", open311.services, name="open311-services"),
    re_path(rf"^services/(?P<code>[0-9.]+)\.{FMT}$", open311.service_definition, name="open311-service"),
    re_path(rf"^requests\.{FMT}$", open311.requests, name="open311-requests"),
    re_path(rf"^requests/(?P<request_id>[0-9a-fA-F-]+)\.{FMT}$", open311.request_detail, name="open311-request"),
    path("discovery.json", open311.discovery, name="open311-discovery"),
]
