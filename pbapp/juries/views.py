"""Routes of the juries domain."""
