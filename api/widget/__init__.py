"""The embeddable chat widget: its loader, UI strings, the demo host page and its static pages."""
