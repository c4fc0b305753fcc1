"""Report builders: one module per command, each turning core results into text in every format."""
