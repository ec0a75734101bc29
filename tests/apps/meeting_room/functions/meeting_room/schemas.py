"""Marshmallow schemas of the meeting-room domain collections and request bodies."""

from marshmallow import Schema, fields, validate

from boiler_core import Reference

MEETING_STATUSES = ("not-started", "in-session", "closed")


class UserSchema(Schema):
    """A person who can attend meetings."""

    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    organization = fields.String(required=True)
    hearing_aid_requested = fields.Boolean(load_default=False)


class LocationSchema(Schema):
    """Where a meeting takes place."""

    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    address = fields.String(required=True)


class MeetingSchema(Schema):
    """A meeting: its place, its participants, one ticket per participant, and its status."""

    location = Reference("locations", required=True)
    users = fields.List(Reference("users"), load_default=list)
    tickets = fields.List(Reference("tickets"), load_default=list)
    status = fields.String(required=True, validate=validate.OneOf(MEETING_STATUSES))


class TicketSchema(Schema):
    """A participant's ticket to a meeting; ``attendance`` says whether they are there."""

    role = fields.String(required=True)
    user = Reference("users", required=True)
    attendance = fields.Boolean(load_default=False)


class InSessionBody(Schema):
    """Body of ``PATCH /meeting_sessions/{meeting}``: open or close the session."""

    inSession = fields.Boolean(required=True)  # the front end's field name


class AttendanceBody(Schema):
    """Body of ``PATCH /meeting_sessions/{meeting}/attendance``: the caller's own attendance."""

    attendance = fields.Boolean(required=True)
