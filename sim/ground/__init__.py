"""The ground layer: the Strip's space and people, and Epstein's civil violence model."""
