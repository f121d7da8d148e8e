"""Reading SQL text as the database will: the statement guard's tokenizer.

Splits SQL into statements and yields each one's words, skipping comments
and string literals as the vendor's parser does, and reading MySQL's
executable comments (``/*! ... */``, ``/*M! ... */``) as code. Only words
matter to the guard: numbers, operators and parameters are dropped.
"""

import re
from collections.abc import Iterator

# One alternative per token kind; the group that matched names it.
_TOKEN = re.compile(
    r"""
    (?P<executable>/\*M?!\d*)                   # MySQL/MariaDB: the rest runs as code
  | (?P<block>/\*)                              # block comment (nested on PostgreSQL)
  | (?P<close>\*/)                              # the end of an executable comment
  | (?P<line>--(?P<dash>[ \t\r\n\f]|$)?)       # line comment (MySQL: followed by a space)
  | (?P<hash>\#)                                # MySQL line comment
  | (?P<estring>[eE]')                          # PostgreSQL escape string E'...'
  | (?P<quote>['"`\[])                          # literal or quoted identifier
  | (?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$) # PostgreSQL dollar quoting
  | (?P<word>@{0,2}[A-Za-z_][A-Za-z0-9_$.@]*)   # keyword, identifier, @@variable
  | (?P<semicolon>;)
    """,
    re.VERBOSE,
)
_CLOSING = {"'": "'", '"': '"', "`": "`", "[": "]"}


def statements(sql: str, vendor: str) -> Iterator[list[str]]:
    """Each statement's words, upper-cased; quoted identifiers count as
    words (without their quotes), string literals do not."""
    mysql, postgres = vendor == "mysql", vendor == "postgresql"
    words: list[str] = []
    position, end = 0, len(sql)
    while position < end:
        match = _TOKEN.search(sql, position)
        if match is None:
            break
        kind, position = match.lastgroup, match.end()
        if kind == "word":
            words.append(match.group().upper())
        elif kind == "semicolon":
            if words:
                yield words
            words = []
        elif kind == "block":
            position = _block_end(sql, position, nested=postgres)
        elif kind == "line" and (match.group("dash") is not None or not mysql) or kind == "hash" and mysql:
            newline = sql.find("\n", position)
            position = end if newline < 0 else newline + 1
        elif kind == "estring" and postgres:
            position = _quoted_end(sql, position, "'", backslash=True)
        elif kind == "estring":
            position = match.start() + 1  # a word starting with E, then a literal
            words.append(sql[match.start()].upper())
        elif kind == "quote":
            opening = match.group()
            if opening == "[" and vendor != "sqlite":
                continue
            backslash = mysql and opening in "'\""
            close = _quoted_end(sql, position, _CLOSING[opening], backslash=backslash)
            if opening != "'" and not (mysql and opening == '"'):
                words.append(sql[position : close - 1].replace(opening * 2, opening).upper())
            position = close
        elif kind == "dollar" and postgres:
            closing = sql.find(match.group(), position)
            position = end if closing < 0 else closing + len(match.group())
        # "executable", "close", "dollar" elsewhere, "line"/"hash" where not a
        # comment: the text around them is read on as code.
    if words:
        yield words


def _block_end(sql: str, position: int, nested: bool) -> int:
    depth = 1
    while depth:
        closing = sql.find("*/", position)
        if closing < 0:
            return len(sql)
        opening = sql.find("/*", position, closing) if nested else -1
        if opening >= 0:
            depth, position = depth + 1, opening + 2
        else:
            depth, position = depth - 1, closing + 2
    return position


def _quoted_end(sql: str, position: int, quote: str, backslash: bool) -> int:
    """Where the literal or identifier opened just before ``position`` ends
    (a doubled quote, or a backslash where it escapes, does not end it)."""
    end = len(sql)
    while position < end:
        char = sql[position]
        if backslash and char == "\\":
            position += 2
        elif char == quote:
            if position + 1 < end and sql[position + 1] == quote:
                position += 2
            else:
                return position + 1
        else:
            position += 1
    return end


_ENDS = {"COMMIT", "END", "ABORT", "BEGIN", "XA", "DISCARD"}
_SET_WORDS = ("AUTOCOMMIT", "READ_ONLY")
# MySQL/MariaDB statements that commit implicitly (``CREATE``/``DROP`` unless TEMPORARY).
_MYSQL_IMPLICIT = {
    "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "LOCK", "UNLOCK", "GRANT", "REVOKE", "FLUSH", "OPTIMIZE",
    "REPAIR", "ANALYZE", "CHECK", "CACHE", "LOAD", "INSTALL", "UNINSTALL", "RESET", "SHUTDOWN",
}  # fmt: skip


def refusal(sql: str, vendor: str, guarded: tuple[str, ...] = ()) -> str | None:
    """Why the statement guard refuses ``sql`` (None: it does not): a
    statement that would end the transaction, turn autocommit on or the
    session's read-only default off, or name one of the ``guarded`` tables."""
    for words in statements(sql, vendor):
        first, second = words[0], words[1] if len(words) > 1 else ""
        if first in _ENDS or first == "START" and second == "TRANSACTION":
            return "end their transaction"
        if first == "ROLLBACK" and "TO" not in words[1:3]:
            return "end their transaction"
        if first == "PREPARE" and second == "TRANSACTION":
            return "end their transaction"
        if first in ("SET", "RESET") and (
            any(word.endswith(_SET_WORDS) for word in words)
            or "CHARACTERISTICS" in words
            or "ALL" in words
            or "TRANSACTION" in words
            and ("SESSION" in words or "GLOBAL" in words)
            and ("WRITE" in words or "ONLY" in words)
        ):
            return "change how the session commits"
        if vendor == "mysql" and first in _MYSQL_IMPLICIT and second != "TEMPORARY":
            return "end their transaction"
        if guarded and any(table.upper() in word for word in words for table in guarded):
            return "change the isolation guard"
    return None
