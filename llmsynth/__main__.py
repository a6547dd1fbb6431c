"""``python -m llmsynth`` runs the CLI."""

from llmsynth.cli.main import main

main()
