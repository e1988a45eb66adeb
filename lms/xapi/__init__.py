"""The platform's Learning Record Store (xAPI 1.0.3 and IEEE 9274.1.1)."""
