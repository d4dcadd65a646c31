"""Widgets used by more than one screen, dialog or window, one module each."""
