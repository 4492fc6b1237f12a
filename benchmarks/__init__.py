"""Speed and quality benchmarks over the public engine API: `python -m benchmarks.NAME`."""
