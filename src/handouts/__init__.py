"""sheets: source-checked, print-ready handouts about benefit data and immigration enforcement."""

__version__ = "0.1.0"
