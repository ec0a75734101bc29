"""View fields computed in Python. A hook gets the view's sources and returns the field's value;
views.yaml lists what it `reads`, so boiler knows which changes to recompute it for."""

from boiler_core import Sources


def progress(sources: Sources) -> str:
    """How far the project is: ``"2 of 3 tasks done"``."""
    tasks = sources.many("tasks")
    done = sum(1 for task in tasks if task.get("done") is True)
    return f"{done} of {len(tasks)} tasks done"
