"""Routes of the ledger domain."""
