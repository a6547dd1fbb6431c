"""The typer CLI; commands are thin and call llmsynth.api."""
