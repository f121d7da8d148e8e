from smoketest.checks import URLCrawlSmoke


class Crawl(URLCrawlSmoke):
    roles = ["anonymous", "authenticated", "staff", "superuser"]
    skip = ["danger", "/private/*", "shop:*"]


class CustomRoles(URLCrawlSmoke):
    roles = ["editor", "admin"]
    skip = ["/?*"]  # every path but "/"

    def make_user(self, role):
        return super().make_user("staff" if role == "editor" else role)
