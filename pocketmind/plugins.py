"""The plugin manager: pluggy hooks plus the ``pocketmind`` entry-point group.

Each :class:`~pocketmind.engine.Engine` owns one :class:`Plugins`; there is
no module-level registry. Built-ins are found through the same entry point
a third-party package declares (and registered directly when pocketmind runs
from a source tree without its metadata).
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

import pluggy

from . import hookspecs
from .errors import ConfigError

ENTRY_POINT_GROUP = "pocketmind"

log = logging.getLogger(__name__)


class Plugins:
    def __init__(self, extra: list[Any] | None = None, load_entry_points: bool = True, paths: Sequence[str] = ()):
        self.pm = pluggy.PluginManager("pocketmind")
        self.pm.add_hookspecs(hookspecs)
        if load_entry_points:
            self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        from . import builtin_plugins

        if not self.pm.is_registered(builtin_plugins):
            self.pm.register(builtin_plugins, name="builtin")
        for plugin in extra or []:
            self.register(plugin)
        self.errors: list[str] = []
        for path in paths:
            try:
                self.register(load_local_plugin(path), name=f"local:{path}")
            except ConfigError as exc:  # reported, skipped: `pocketmind config` must still work to fix it
                log.error("%s", exc)
                self.errors.append(str(exc))
        self._indexers: list[Any] | None = None
        self._embedders: dict[str, Callable[[], Any]] | None = None
        self._answerers: dict[str, Callable[..., Any]] | None = None

    @property
    def hook(self):
        return self.pm.hook

    def register(self, plugin: Any, name: str | None = None) -> None:
        self.pm.register(plugin, name=name)
        self._indexers = self._embedders = self._answerers = None

    # -- what plugins contribute ------------------------------------------

    def indexers(self) -> list[Any]:
        if self._indexers is None:
            found: list[Any] = []
            self.hook.register_indexers(register=found.append)
            self._indexers = found
        return self._indexers

    def source_kinds(self) -> list[str]:
        return sorted({ix.source_kind for ix in self.indexers()})

    def indexers_for(self, source_kind: str) -> list[Any]:
        return [ix for ix in self.indexers() if ix.source_kind == source_kind]

    def embedders(self) -> dict[str, Callable[[], Any]]:
        if self._embedders is None:
            found: dict[str, Callable[[], Any]] = {}
            self.hook.register_embedders(register=lambda name, factory: found.setdefault(name, factory))
            self._embedders = found
        return self._embedders

    def answerers(self) -> dict[str, Callable[..., Any]]:
        if self._answerers is None:
            found: dict[str, Callable[..., Any]] = {}
            self.hook.register_answerers(register=lambda name, factory: found.setdefault(name, factory))
            self._answerers = found
        return self._answerers

    def make_embedder(self, name: str):
        factories = self.embedders()
        if name not in factories:
            raise ConfigError(f"unknown embedder {name!r}; installed: {', '.join(sorted(factories))}")
        return factories[name]()

    def make_answerer(self, name: str, settings, paths):
        factories = self.answerers()
        if name not in factories:
            raise ConfigError(f"unknown answerer {name!r}; installed: {', '.join(sorted(factories))}")
        return factories[name](settings, paths)

    # -- listing ------------------------------------------------------------

    def describe(self) -> list[dict[str, Any]]:
        """Every registered plugin with what it contributes (for `pocketmind plugins`)."""
        rows = []
        for name, plugin in self.pm.list_name_plugin():
            contributes: dict[str, list[str]] = {}
            impl = getattr(plugin, "register_indexers", None)
            if impl:
                got: list[Any] = []
                impl(register=got.append)
                contributes["indexers"] = [f"{ix.source_kind}/{ix.name}" for ix in got]
            for hook in ("register_embedders", "register_answerers"):
                impl = getattr(plugin, hook, None)
                if impl:
                    got_names: list[str] = []
                    impl(register=lambda n, f: got_names.append(n))
                    contributes[hook.removeprefix("register_")] = got_names
            hooks = [h.name for h in self.pm.get_hookcallers(plugin) or []]
            rows.append({"name": name, "module": _module_name(plugin), "version": _version(plugin), "hooks": sorted(hooks), **contributes})
        return rows


def load_local_plugin(path: str) -> ModuleType:
    """Import a plugin from a local .py file or package folder (setting ``plugins.paths``)."""
    where = Path(path).expanduser()
    init = where / "__init__.py" if where.is_dir() else where
    if not init.is_file() or init.suffix != ".py":
        raise ConfigError(f"plugin {path}: not a .py file or a folder with __init__.py (setting plugins.paths)")
    name = "pocketmind_local_" + "".join(c if c.isalnum() else "_" for c in where.stem)
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(where)] if where.is_dir() else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so the plugin's own relative imports work
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ConfigError(f"plugin {path} failed to load: {type(exc).__name__}: {exc}") from None
    return module


def _module_name(plugin: Any) -> str:
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__


def _version(plugin: Any) -> str:
    top = _module_name(plugin).split(".")[0]
    try:
        return metadata.version(top)
    except metadata.PackageNotFoundError:
        return ""
