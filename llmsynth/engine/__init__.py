"""Planning and running a spec: seeded chunks, LLM steps, validation, run records."""
