"""Checking ``project.data_files``: files besides Python sources that the functions read at run
time (a CSV a hook loads, a template), so that ``boiler deploy`` lets them ship.

Each entry is a glob relative to the functions folder, with ``/`` between folders: ``*`` and ``?``
within a name, ``**`` any number of folders, ``[abc]`` a class; a folder ships what it holds
(``app/data``). An entry must stay inside the functions folder and name something: absolute
paths, ``..``, backslashes, braces and globs that match everything are refused here; whether each
matches a file the upload holds is checked by ``boiler check``.
"""

from __future__ import annotations

import yaml

from boiler_core.manifest.reader import Reader

_EVERYTHING = {"*", "**"}


def read_data_files(reader: Reader, node: yaml.Node) -> tuple[str, ...] | None:
    """The checked globs of ``project.data_files``; None (with problems recorded) if invalid."""
    problems = len(reader.problems)
    listed = reader.strings(node, "project.data_files")
    if listed is None:
        return None
    seen: set[str] = set()
    for value, item in listed:
        glob = value.strip().rstrip("/")
        what = f"data file '{value}' in project.data_files"
        segments = glob.split("/")
        if glob.startswith("/") or "\\" in glob or (len(glob) > 1 and glob[1] == ":"):
            reader.error(
                item,
                f"{what} is not relative to the functions folder",
                "write it relative to project.functions_dir with / between folders, e.g. "
                "app/data/rates.csv",
            )
        elif any(segment in ("", ".", "..") for segment in segments):
            reader.error(
                item,
                f"{what} has an empty, '.' or '..' folder",
                "name a file or folder inside the functions folder, e.g. app/data/rates.csv",
            )
        elif "{" in glob or "}" in glob:
            reader.error(item, f"{what} uses braces", "write one entry per alternative")
        elif set(segments) <= _EVERYTHING:
            reader.error(
                item,
                f"{what} matches every file",
                "list the files or folders the functions read, e.g. app/data",
            )
        elif glob in seen:
            reader.error(item, f"{what} is listed twice")
        seen.add(glob)
    if len(reader.problems) != problems:
        return None
    return tuple(value.strip().rstrip("/") for value, _ in listed)
