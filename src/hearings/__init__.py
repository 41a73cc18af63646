"""hearings: a local, trustworthy database of U.S. congressional committee hearings."""

__version__ = "0.1.0"
