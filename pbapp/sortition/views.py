"""Routes of the sortition domain."""
