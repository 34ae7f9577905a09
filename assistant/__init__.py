"""三个区分开来 policy assistant: cited answers on fault tolerance (容错纠错) for cadres."""

__version__ = "0.1.0"
