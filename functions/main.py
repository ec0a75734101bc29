# generated from views.yaml by boiler; do not edit.
"""Cloud Functions keeping the views declared in views.yaml current.

Each trigger hands the written document to boiler's engine, which recomputes the view documents
it affects. The HTTP function `api` serves the mutations, the view reads, /openapi.json and /docs.
A trigger hands the views it leaves unfinished to `boilerRetry` (Cloud Tasks retries).
`boilerBackstop` replays the events recorded as unfinished, on a schedule, and verifies
a slice of every view.
MANIFEST is views.yaml as boiler checked it. Regenerate with `boiler generate`.
"""

from pathlib import Path
from typing import Any

from firebase_functions import firestore_fn, https_fn, scheduler_fn, tasks_fn
from firebase_functions.options import RateLimits, RetryConfig, set_global_options

from boiler_core import DeployedApi, Triggers, WrittenEvent

set_global_options(region="us-central1")

MANIFEST = """\
version: 1
project:
  region: us-central1
  runtime: python311
  emulator_project_id: demo-boiler
  functions_dir: .
collections:
  users:
    path: users/{user}
    schema: meeting_room.schemas:UserSchema
  locations:
    path: locations/{location}
    schema: meeting_room.schemas:LocationSchema
  meetings:
    path: meetings/{meeting}
    schema: meeting_room.schemas:MeetingSchema
  tickets:
    path: tickets/{ticket}
    schema: meeting_room.schemas:TicketSchema
views:
  meeting_sessions:
    path: meeting_sessions/{meeting}
    root: meetings
    joins:
      location:
        collection: locations
        ref: location
      users:
        collection: users
        refs: users
      tickets:
        collection: tickets
        refs: tickets
    fields:
      latitude: location.latitude
      longitude: location.longitude
      address: location.address
      inSession:
        source: status
        equals: in-session
      attending:
        hook: meeting_room.hooks:attending
        reads:
        - status
        - users.first_name
        - users.last_name
        - users.organization
        - users.hearing_aid_requested
        - tickets.user
        - tickets.attendance
      numHearingAidRequested:
        hook: meeting_room.hooks:num_hearing_aid_requested
        reads:
        - status
        - users.hearing_aid_requested
        - tickets.user
        - tickets.attendance
    copies:
    - path: users/{user}/meeting_sessions/{meeting}
      for_each: users
    read:
      members: users
  user_profiles:
    path: user_profiles/{user}
    root: users
    joins:
      meetings:
        collection: meetings
        query: users
        op: array-contains
      meeting_location:
        collection: locations
        ref: location
        parent: meetings
    fields:
      first_name: first_name
      last_name: last_name
      organization: organization
      hearing_aid_requested: hearing_aid_requested
      meetings:
        list: meetings
        sort:
        - $id
        item:
          meeting: $id
          status: status
          address: meeting_location.address
    read:
      owner: user
mutations:
  set_in_session:
    route: PATCH meeting_sessions/{meeting}
    body: meeting_room.schemas:InSessionBody
    handler: meeting_room.mutations:set_in_session
    policy:
      member-of: meeting_sessions
  set_attendance:
    route: PATCH meeting_sessions/{meeting}/attendance
    body: meeting_room.schemas:AttendanceBody
    handler: meeting_room.mutations:set_attendance
    policy:
      member-of: meeting_sessions
"""

triggers = Triggers(MANIFEST, base_dir=Path(__file__).resolve().parent)
http_api = DeployedApi(triggers.manifest, base_dir=triggers.base_dir)


@firestore_fn.on_document_written(document="locations/{location}")
def on_locations_written(event: WrittenEvent) -> None:
    """Recompute meeting_sessions, user_profiles when a document of locations is written."""
    triggers.on_written("locations", event)


@firestore_fn.on_document_written(document="meetings/{meeting}")
def on_meetings_written(event: WrittenEvent) -> None:
    """Recompute meeting_sessions, user_profiles when a document of meetings is written."""
    triggers.on_written("meetings", event)


@firestore_fn.on_document_written(document="tickets/{ticket}")
def on_tickets_written(event: WrittenEvent) -> None:
    """Recompute meeting_sessions when a document of tickets is written."""
    triggers.on_written("tickets", event)


@firestore_fn.on_document_written(document="users/{user}")
def on_users_written(event: WrittenEvent) -> None:
    """Recompute meeting_sessions, user_profiles when a document of users is written."""
    triggers.on_written("users", event)


@https_fn.on_request()
def api(request: https_fn.Request) -> https_fn.Response:
    """Serve the HTTP API declared in views.yaml (see docs/http.md)."""
    return http_api.handle(request)


@tasks_fn.on_task_dispatched(
    retry_config=RetryConfig(
        max_attempts=10,
        min_backoff_seconds=10,
        max_backoff_seconds=600,
        max_doublings=6,
    ),
    rate_limits=RateLimits(max_concurrent_dispatches=10),
)
def boilerRetry(request: tasks_fn.CallableRequest[Any]) -> None:
    """Redo the views a trigger left unfinished; Cloud Tasks runs it again while they stay so."""
    triggers.on_retry(request)


@scheduler_fn.on_schedule(schedule="every 30 minutes")
def boilerBackstop(event: scheduler_fn.ScheduledEvent) -> None:
    """Replay the events recorded as unfinished, the oldest 50 at most;
    then verify and repair the next 100 roots of each view (and as many stored documents)."""
    triggers.on_schedule(event)
