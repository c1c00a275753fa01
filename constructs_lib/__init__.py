"""Reusable constructs, one module per architecture. Each module stands alone: copy one file."""
