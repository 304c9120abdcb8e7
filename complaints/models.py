"""Models of the complaints app."""
