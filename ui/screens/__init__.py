"""The main window's screens, one module each, in the order of its navigation."""
