"""Screenshot intake, hashing, safe decoding, storage, verification."""
