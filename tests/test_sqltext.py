"""The statement guard's tokenizer: statements and their words as each
vendor's parser reads them, and what the guard refuses."""

import pytest

from smoketest.engine.sqltext import refusal, statements

ENDS = "end their transaction"
SESSION = "change how the session commits"


@pytest.mark.parametrize(
    "sql, vendor, words",
    [
        ("SELECT 1; commit", "sqlite", [["SELECT"], ["COMMIT"]]),
        ("/* a */ COMMIT", "postgresql", [["COMMIT"]]),
        ("-- a\nEND", "sqlite", [["END"]]),
        ("/* outer /* inner */ still */ END", "postgresql", [["END"]]),
        ("/* outer /* inner */ STILL */ END", "mysql", [["STILL", "END"]]),  # MySQL does not nest
        ("/*!COMMIT*/", "mysql", [["COMMIT"]]),
        ("/*!50000 SET autocommit=1 */", "mysql", [["SET", "AUTOCOMMIT"]]),
        ("/*M!100000 COMMIT */", "mysql", [["COMMIT"]]),
        ("SELECT 'a; COMMIT'", "sqlite", [["SELECT"]]),
        ("SELECT 'it''s; COMMIT'", "postgresql", [["SELECT"]]),
        (r"SELECT 'a\'; COMMIT", "postgresql", [["SELECT"], ["COMMIT"]]),  # standard strings
        (r"SELECT E'a\'; COMMIT'", "postgresql", [["SELECT"]]),
        (r"SELECT 'a\'; COMMIT'", "mysql", [["SELECT"]]),
        ("SELECT $$; COMMIT$$; END", "postgresql", [["SELECT"], ["END"]]),
        ("SELECT $tag$ $$; COMMIT $tag$", "postgresql", [["SELECT"]]),
        ('SELECT "commit"', "postgresql", [["SELECT", "COMMIT"]]),
        ("SELECT 1 # comment; COMMIT\n", "mysql", [["SELECT"]]),
        ("SELECT 1 --1; COMMIT", "mysql", [["SELECT"], ["COMMIT"]]),  # not a comment without a space
        ("SET NAMES utf8mb4, @@session.autocommit = 1", "mysql", [["SET", "NAMES", "UTF8MB4", "@@SESSION.AUTOCOMMIT"]]),
        ("SELECT [a;b] FROM t", "sqlite", [["SELECT", "A;B", "FROM", "T"]]),
        ("/* never closed COMMIT", "postgresql", []),
    ],
)
def test_statements_and_their_words(sql, vendor, words):
    assert list(statements(sql, vendor)) == words


@pytest.mark.parametrize(
    "sql, vendor, reason",
    [
        ("COMMIT", "postgresql", ENDS),
        ("commit and chain", "postgresql", ENDS),
        ("ROLLBACK", "sqlite", ENDS),
        ("ROLLBACK TO SAVEPOINT s1", "sqlite", None),
        ("ROLLBACK WORK TO s1", "mysql", None),
        ("RELEASE SAVEPOINT s1", "postgresql", None),
        ("SAVEPOINT s1", "postgresql", None),
        ("BEGIN", "sqlite", ENDS),
        ("START TRANSACTION", "mysql", ENDS),
        ("ABORT", "postgresql", ENDS),
        ("PREPARE TRANSACTION 'x'", "postgresql", ENDS),
        ("PREPARE q AS SELECT 1", "postgresql", None),
        ("XA END 'x'", "mysql", ENDS),
        ("DISCARD TEMP", "postgresql", ENDS),
        ("SET @@autocommit = 1", "mysql", SESSION),
        ("SET NAMES utf8mb4, autocommit = 1", "mysql", SESSION),
        ("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "postgresql", SESSION),
        ("SET default_transaction_read_only = off", "postgresql", SESSION),
        ("RESET ALL", "postgresql", SESSION),
        ("SET SESSION TRANSACTION READ WRITE", "mysql", SESSION),
        ("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "mysql", None),
        ("SET search_path TO public", "postgresql", None),
        ("CHECK TABLE t", "mysql", ENDS),
        ("CREATE TABLE t (a int)", "mysql", ENDS),
        ("CREATE TEMPORARY TABLE t (a int)", "mysql", None),
        ("CREATE TABLE t (a int)", "postgresql", None),  # transactional DDL
        ("DELETE FROM pg_temp.smoketest_guard", "postgresql", "change the isolation guard"),
        ("UPDATE t SET a = 1 WHERE b = 'COMMIT'", "postgresql", None),
        ("SELECT CASE WHEN a THEN 1 END FROM t", "postgresql", None),
        ("SELECT 1; /* */ END", "postgresql", ENDS),
    ],
)
def test_what_the_guard_refuses(sql, vendor, reason):
    assert refusal(sql, vendor, ("smoketest_guard",)) == reason
