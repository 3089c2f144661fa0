"""Content curation by coordinators: the FAQ editor, bot texts, history, try-it, import and export."""
