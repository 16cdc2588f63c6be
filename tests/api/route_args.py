"""Route arguments of the API for the permission matrix (demo council data).

The API's routes reuse the domains' argument names (process_id, ballot_id, jury_id, book_id, item_id),
whose providers live in tests/pb, tests/juries and tests/ledger; nothing new is needed here.
"""

ARGS: dict = {}
