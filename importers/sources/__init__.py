"""Readers, one per source format. Each yields batches of raw features or rows."""
