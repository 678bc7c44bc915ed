"""Performance proofs: the app's query catalog, plan-shape gates, a HypoPG advisor, a load driver and the bench
report."""
