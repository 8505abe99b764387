"""Deterministic generator of realistic clusters for the policylint benchmark."""
