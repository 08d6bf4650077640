"""Reports: YAML definitions -> SQL aggregates -> charts -> print HTML -> PDF."""
