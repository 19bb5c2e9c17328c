"""Typed resource models (pydantic v2)."""
