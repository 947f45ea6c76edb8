"""Analysis on results: probabilities, percentile bands, back-solving, sweeps, sensitivity."""
