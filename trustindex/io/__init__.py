"""Reading and writing the files users own: datasets, weights profiles, outputs."""
