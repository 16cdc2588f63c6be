"""Tables of the juries domain."""
