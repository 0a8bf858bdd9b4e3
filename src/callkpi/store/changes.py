"""What writers announce (`Store.announce`) to the other processes serving a store.

Several API processes may serve one PostgreSQL store; each caches answers, tokens and the live
board. A writer announces, in its transaction, what it changed, and every process hears it
when the transaction commits (`Store.watch`). DuckDB and Spark have one writing process:
announcing there does nothing.
"""

from __future__ import annotations

#: Detail rows loaded or replaced (imports, appends, demo loads, rollup rebuilds): cached
#: answers are wrong at once.
DATA = "data"
#: Live events stored, or the rollup days they left pending recomputed: answers age.
LIVE = "live"
#: A token, API key, user or password revoked or changed: forget remembered callers.
ACCOUNTS = "accounts"
