"""The resource inventory: resources by kind and by name, namespaces, existence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, cast

from meshlint.findings import ResourceRef
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind, Resource

R = TypeVar("R", bound=Resource)


def effective_namespace(resource: Resource, settings: MeshSettings) -> str:
    """The namespace used for resolution: as written, else ``settings.default_namespace``.

    Cluster-scoped kinds: a Namespace answers with its own name.
    """
    if resource.KIND is Kind.NAMESPACE:  # the only cluster-scoped kind meshlint models
        return resource.name
    return resource.metadata.namespace or settings.default_namespace


def creation_key(resource: Resource, namespace: str) -> tuple[str, str, str]:
    """``configCompareByCreationTime``: oldest first, then name, then namespace.

    A missing creationTimestamp is the zero time (oldest), as in istiod.
    """
    return (resource.metadata.creation_timestamp or "", resource.name, namespace)


def api_group(api_version: str) -> str:
    """The API group of an apiVersion: ``""`` for the core group (``v1``)."""
    return api_version.rpartition("/")[0]


class Inventory:
    """Resources by kind (input order) and by (kind, namespace, name)."""

    __slots__ = (
        "_by_kind",
        "_by_name",
        "_invalid",
        "_namespace_of",
        "_namespaces",
        "count",
        "settings",
    )

    def __init__(
        self,
        resources: Sequence[Resource],
        settings: MeshSettings,
        invalid: Sequence[ResourceRef] = (),
    ) -> None:
        self.settings = settings
        self.count = len(resources)
        self._by_kind: dict[Kind, list[Resource]] = {}
        self._by_name: dict[tuple[Kind, str, str], Resource] = {}
        namespaces: set[str] = set()
        self._namespace_of: dict[int, str] = {}
        for resource in resources:
            namespace = effective_namespace(resource, settings)
            self._namespace_of[id(resource)] = namespace
            self._by_kind.setdefault(resource.KIND, []).append(resource)
            self._by_name.setdefault((resource.KIND, namespace, resource.name), resource)
            if namespace:
                namespaces.add(namespace)
        self._invalid = frozenset(
            (
                api_group(ref.api_version),
                ref.kind,
                ref.namespace or settings.default_namespace,
                ref.name,
            )
            for ref in invalid
        )
        namespaces.update(ns for _, _, ns, _ in self._invalid if ns)
        self._namespaces = frozenset(namespaces)

    def namespace_of(self, resource: Resource) -> str:
        found = self._namespace_of.get(id(resource))
        return effective_namespace(resource, self.settings) if found is None else found

    def all(self, cls: type[R]) -> tuple[R, ...]:
        return cast(tuple[R, ...], tuple(self._by_kind.get(cls.KIND, ())))

    def of_kind(self, kind: Kind) -> tuple[Resource, ...]:
        return tuple(self._by_kind.get(kind, ()))

    def get(self, cls: type[R], namespace: str, name: str) -> R | None:
        found = self._by_name.get((cls.KIND, namespace, name))
        return cast(R | None, found)

    def kinds_present(self) -> frozenset[Kind]:
        return frozenset(self._by_kind)

    @property
    def namespaces_present(self) -> frozenset[str]:
        """Namespaces of every input resource (and of resources that failed to build)."""
        return self._namespaces

    def namespace_known(self, namespace: str) -> bool:
        """True when the input covers ``namespace`` (or the user asserted a complete input)."""
        return self.settings.assume_complete or namespace in self._namespaces

    def exists(self, kind: Kind, namespace: str, name: str) -> bool:
        """Whether the input holds that object (same API group), counting ones that failed to
        build or that meshlint does not model."""
        if (kind, namespace, name) in self._by_name:
            return True
        return (kind.group, kind.kind_name, namespace, name) in self._invalid
