"""Safe YAML reading: no object construction, duplicate keys refused, errors as Problems."""
from __future__ import annotations

from pathlib import Path

import yaml

from agrosim.errors import InputError, Problem


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

MAX_BYTES = 5_000_000


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping from `path`; any failure becomes an InputError naming the file."""
    shown = str(path)
    if not path.is_file():
        raise InputError([Problem(shown, "", "no such file", "an existing YAML file")])
    try:
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
    return data
