"""Pure domain logic: algorithms and rules with no Flask, SQLModel or WTForms imports."""
