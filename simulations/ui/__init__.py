"""pygame-ce desktop application for the tabletop exercises (scene stack, map, dialogs)."""
