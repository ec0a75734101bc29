"""Mutation handlers: each runs in one Firestore transaction and changes domain documents only."""

from typing import Any

from boiler_core import MutationContext, NotFound, ref_id


def set_task_done(ctx: MutationContext, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /project_boards/{project}/tasks/{task}`` with ``{"done": true}``: mark the task
    done (or not). The policy has checked that the caller is a member of the project."""
    task = ctx.get(f"tasks/{ctx.params['task']}")
    if task is None or ref_id(task.get("project")) != ctx.params["project"]:
        raise NotFound(f"project '{ctx.params['project']}' has no task '{ctx.params['task']}'")
    done = bool(body["done"])
    if task.get("done") is not done:
        ctx.update(task.path, {"done": done})
    return {"done": done}
