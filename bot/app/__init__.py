"""The composition root: the only place that wires the core to configured adapters."""
