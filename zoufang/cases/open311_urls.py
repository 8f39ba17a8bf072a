"""/open311/v2/: GeoReport v2 in JSON and XML; whatever else is asked here gets the spec's error, not a page."""

from django.urls import re_path

from zoufang.cases import open311

FMT = r"(?P<fmt>json|xml)"
ONE = r"[^/]+?"  # a service_code, service_request_id or token as the client sent it: the view answers 404 for it

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", open311.discovery, name="open311-discovery"),
    re_path(rf"^services\.{FMT}$", open311.services, name="open311-services"),
    re_path(rf"^services/(?P<code>{ONE})\.{FMT}$", open311.service_definition, name="open311-service"),
    re_path(rf"^requests\.{FMT}$", open311.requests, name="open311-requests"),
    re_path(rf"^requests/(?P<request_id>{ONE})\.{FMT}$", open311.request_detail, name="open311-request"),
    re_path(rf"^tokens/(?P<token_id>{ONE})\.{FMT}$", open311.token, name="open311-token"),
    re_path(r"^(?P<rest>.*)$", open311.unknown, name="open311-unknown"),
]
