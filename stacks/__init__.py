"""Deployable stacks: one per architecture, composing constructs_lib for a profile."""
