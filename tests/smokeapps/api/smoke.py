from smoketest.checks import APIPermissionSmoke, PublicURLSmoke


class APIPermissions(APIPermissionSmoke):
    public = ["api-health"]


class ReadsMayBeOpen(APIPermissionSmoke):
    public = ["/api/health/", "api-open"]
    methods = ["POST", "PUT", "PATCH", "DELETE"]


class PublicSite(PublicURLSmoke):
    static_path = "smoke.css"
    auth_required = ["/api/private/", "account/", "api/notes/1/"]


class LeakySite(PublicURLSmoke):
    static_path = "missing.css"
    auth_required = ["/api/open/", "api/private/", "/api/notes/"]
