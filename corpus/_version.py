"""The toolkit version and distribution name, in a leaf module anything may import
(pyproject.toml reads the version from here)."""

__version__ = "0.1.0"
# The name on the package index; the import package and the command are `corpus`.
DISTRIBUTION = "zhen-news-corpus"
