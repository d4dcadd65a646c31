"""Anonymous and confidential reporters, good-faith protection, retaliation review."""
