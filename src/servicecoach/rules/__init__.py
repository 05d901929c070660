"""Rule packs: schema, loading, located errors."""
