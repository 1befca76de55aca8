from typing import Any

# The native extension (pybind11); its typed surface is the civitas.* modules.
def __getattr__(name: str) -> Any: ...
