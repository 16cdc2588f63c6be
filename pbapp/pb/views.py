"""Routes of the pb domain."""
