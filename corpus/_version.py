"""The toolkit version, in a leaf module that anything may import (pyproject reads it too)."""

__version__ = "0.1.0"
