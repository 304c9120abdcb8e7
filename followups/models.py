"""Models of the followups app."""
