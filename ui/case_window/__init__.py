"""The window of one case (``window.CaseWindow``) and its tabs, one module each."""
