"""The versioned clause catalogue, citations, clause search and suggestion."""
