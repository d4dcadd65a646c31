"""The graduated ladder of 3.21 §V.B: the matrix, recommendations, decisions."""
