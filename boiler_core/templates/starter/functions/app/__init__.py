"""@@app_name@@: the schemas, hooks and mutation handlers views.yaml names."""
