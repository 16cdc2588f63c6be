"""Tables of the pb domain."""
