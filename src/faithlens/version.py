"""The library's version, on the ground floor so that any module can stamp it without importing the package."""

__version__ = "0.1.0"
