"""Safe YAML reading: no object construction, duplicate keys refused, aliases bounded, errors as Problems."""
from __future__ import annotations

from pathlib import Path

import yaml

from agrosim.errors import InputError, Problem
from agrosim.limits import MAX_FILE_BYTES, MAX_YAML_NODES

MAX_BYTES = MAX_FILE_BYTES


class _TooLarge(Exception):
    """A document whose expanded size exceeds MAX_YAML_NODES."""

    def __init__(self, nodes: int):
        super().__init__(nodes)
        self.nodes = nodes


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when present: faster
    """SafeLoader that refuses duplicate and unhashable mapping keys, and documents whose aliases
    expand beyond MAX_YAML_NODES nodes (counted on the node graph, before anything is built)."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            nodes = expanded_size(node, MAX_YAML_NODES)
            if nodes > MAX_YAML_NODES:
                raise _TooLarge(nodes)
        return node


def expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes of `root` with every alias expanded, computed once per distinct node (so in time linear in
    the file, however large the expansion); stops counting once past `limit`. A node that contains
    itself (a recursive alias) counts as unbounded."""
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if children_done or not children:
            sizes[id(node)] = min(limit + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if id(node) in started:  # reached again below itself: a cycle
            return limit + 1
        started.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        mark = key_node.start_mark
        if isinstance(key, (list, dict, set)):
            raise yaml.constructor.ConstructorError(
                None, None, f"a {type(key).__name__} used as a key, where a name or a year belongs", 
                mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping from `path`; any failure becomes an InputError naming the file."""
    shown = str(path)
    if not path.is_file():
        raise InputError([Problem(shown, "", "no such file", "an existing YAML file")])
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError([Problem(shown, "", f"{size} bytes", f"a scenario file under {MAX_BYTES} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, "", f"unreadable file ({exc.strerror})", "a readable YAML file")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(shown, "", f"{len(raw)} bytes", f"a scenario file under {MAX_BYTES} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(shown, "", "bytes that are not UTF-8 text", "a UTF-8 YAML file")]) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except _TooLarge:
        raise InputError([Problem(shown, "", f"aliases that expand to more than {MAX_YAML_NODES:,} YAML nodes",
                                  f"a document of at most {MAX_YAML_NODES:,} nodes with aliases expanded")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise InputError([Problem(shown, "", f"invalid YAML at {where}: {exc.problem or exc.context}",
                                  "well-formed YAML")]) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise InputError([Problem(shown, "", f"invalid YAML ({type(exc).__name__})", "well-formed YAML")]) from None
    if data is None:
        raise InputError([Problem(shown, "", "an empty file", "a YAML mapping of scenario keys")])
    if not isinstance(data, dict):
        raise InputError([Problem(shown, "", f"a YAML {type(data).__name__}", "a YAML mapping of scenario keys")])
    bad = _odd_key(data, ())
    if bad is not None:
        where, key = bad
        raise InputError([Problem(shown, ".".join(map(str, where)), f"a key of type {type(key).__name__} ({key!r:.40})",
                                  "keys that are names (text) or years (whole numbers)")])
    return data


def _odd_key(node, path: tuple):
    """The first key that is neither text nor a whole number (a float, a date, null, true), with its path."""
    stack = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    return where, key
                stack.append((value, where + (key,)))
        elif isinstance(item, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(item))
    return None
