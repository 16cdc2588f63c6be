"""Tables of the sortition domain."""
