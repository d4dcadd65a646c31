"""Users, roles, permissions, password hashing, keys and the OS keyring."""
