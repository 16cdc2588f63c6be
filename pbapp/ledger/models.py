"""Tables of the ledger domain."""
