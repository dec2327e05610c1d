"""Data set loaders, in scikit-learn's ``fetch_*`` style."""

from ._fashion_mnist import fetch_fashion_mnist, get_data_home

__all__ = ["fetch_fashion_mnist", "get_data_home"]
