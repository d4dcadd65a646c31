"""The Qt (PySide6) layer of IA Desk: windows, dialogs, Qt models, workers. No rules here."""
