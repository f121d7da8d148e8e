from smoketest.checks import MigrationsSmoke


class FirstMissingOnly(MigrationsSmoke):
    aliases = ["default"]
    listed = 1
