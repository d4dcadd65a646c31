"""The dialogs, one module each, named after what they ask."""
