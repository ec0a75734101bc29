"""Marshmallow schemas of the domain collections and of the mutations' request bodies."""

from marshmallow import Schema, fields

from boiler_core import Reference


class UserSchema(Schema):
    """A person."""

    name = fields.String(required=True)


class ProjectSchema(Schema):
    """A project: its name, who owns it and who works on it."""

    name = fields.String(required=True)
    owner = Reference("users", required=True)
    members = fields.List(Reference("users"), load_default=list)


class TaskSchema(Schema):
    """A task of a project, maybe assigned to someone."""

    project = Reference("projects", required=True)
    title = fields.String(required=True)
    done = fields.Boolean(load_default=False)
    assignee = Reference("users", allow_none=True, load_default=None)


class TaskDoneBody(Schema):
    """Body of ``PATCH /project_boards/{project}/tasks/{task}``."""

    done = fields.Boolean(required=True)
