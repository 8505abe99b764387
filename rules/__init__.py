"""Rule catalogue, installed as policylint.rules: one module per rule."""
