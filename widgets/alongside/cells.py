"""Reading a notebook cell as nbformat keeps it, for the grader and the cohort tools (no imports
beyond the standard library, so nbgrader's configuration can load it cheaply)."""


def cell_source(cell) -> str:
    """A notebook cell's source as one string (nbformat keeps it as a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_metadata(cell) -> dict:
    """A cell's nbgrader metadata, or {} when it has none."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}
