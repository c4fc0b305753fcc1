"""The hostile corpus: malformed inputs derived from the shipped files, and the harness that runs them."""
