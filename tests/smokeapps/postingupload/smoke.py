from smoketest.checks import PostSmoke


class OnlyUploads(PostSmoke):
    roles = ["anonymous"]
    skip = ["widget-*"]
