"""ReportLab case summaries and statistics."""
