"""Side-by-side benchmarks of ahpo against Optuna, Hyperopt and others."""
