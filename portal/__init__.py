"""Order-tracking portal: branded, private, multilingual order status pages for online shops."""

__version__ = "0.1.0"
