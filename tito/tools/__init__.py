"""Helpers imported by module sources themselves (they run inside student code)."""
