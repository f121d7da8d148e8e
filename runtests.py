#!/usr/bin/env python
"""Run the test suite.

    python runtests.py                    # SQLite: no database server needed
    python runtests.py --db postgres      # or: --db mariadb, --db all
    python runtests.py -k isolation -x    # other arguments go to pytest

The backend can also be chosen with the SMOKETEST_TEST_DB environment
variable (sqlite, postgres, mariadb). Server addresses come from PGHOST,
PGPORT, PGUSER and MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD.
"""

import argparse
import os
import subprocess
import sys

BACKENDS = ("sqlite", "postgres", "mariadb")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db",
        choices=(*BACKENDS, "all"),
        default=os.environ.get("SMOKETEST_TEST_DB", "sqlite"),
        help="database backend to run against (default: sqlite)",
    )
    args, pytest_args = parser.parse_known_args()
    here = os.path.dirname(os.path.abspath(__file__))
    failed = []
    for backend in BACKENDS if args.db == "all" else (args.db,):
        print(f"== python runtests.py --db {backend}", flush=True)
        env = {**os.environ, "SMOKETEST_TEST_DB": backend}
        code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=here, env=env)
        if code != 0:
            failed.append(backend)
    if failed:
        print(f"FAILED on: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
