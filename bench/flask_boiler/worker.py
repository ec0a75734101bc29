"""flask-boiler 0.0.1b2 running its own meeting-room example: the predecessor, as a baseline.

Runs in the benchmark's Python 3.8 venv (never in the project's), started by
:mod:`bench.flask_boiler.runner` with ``FIRESTORE_EMULATOR_HOST`` set and a throwaway
service-account file (the old client opens an insecure channel to the emulator and never
authenticates). It seeds the meeting-room fixture through flask-boiler's domain models (as the
example's ``tests/fixtures.py`` does), starts the example's per-user ``DocumentAsView`` mediator
(as its ``tests/test_dav.py`` does: long-running listeners on every bound domain document, one
view document per user at ``users/{user}/MeetingSessionDAV/{meeting}``), prints ``READY`` and
serves until its standard input closes.
"""

import sys

from examples.meeting_room import domain_models
from examples.meeting_room.domain_models import Meeting, User
from examples.meeting_room.view_models.meeting_session import MeetingSessionMixin
from flask_boiler.config import Config
from flask_boiler.context import Context
from flask_boiler.view import DocumentAsView
from flask_boiler.view_mediator_dav import ViewMediatorDAV


class MeetingSessionDAV(MeetingSessionMixin, DocumentAsView):
    """The example's per-user view model (copied from its tests/test_dav.py)."""

    @classmethod
    def new(cls, *args, **kwargs):
        return cls.get_from_meeting_id(*args, **kwargs)

    @classmethod
    def get_from_meeting_id(cls, meeting_id, once=False, user=None, **kwargs):
        doc_ref = user.doc_ref.collection(cls.__name__).document(meeting_id)
        return super().get_from_meeting_id(meeting_id, once=once, doc_ref=doc_ref, **kwargs)


class MeetingSessionViewMediatorDAV(ViewMediatorDAV):
    """The example's mediator (copied from its tests/test_dav.py)."""

    def __init__(self, *args, meeting_cls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_cls = meeting_cls

    def generate_entries(self):
        for meeting in self.meeting_cls.all():
            for user_ref in meeting.users:
                user = User.get(doc_ref=user_ref)
                obj = self.view_model_cls.new(
                    meeting_id=meeting.doc_id, once=False, user=user, f_notify=self.notify
                )
                self.instances[obj.doc_ref._document_path] = obj


def seed():
    """The meeting-room fixture, written by flask-boiler's domain models."""
    people = [
        ("tijuana", "Tijuana", "Furlong", "UCSD", True),
        ("thomasina", "Thomasina", "Manes", "UCSD", False),
        ("joshua", "Joshua", "Pendergrast", "SDSU", True),
    ]
    users = []
    for doc_id, first, last, organization, hearing_aid in people:
        user = domain_models.User.new(doc_id=doc_id)
        user.first_name, user.last_name = first, last
        user.organization, user.hearing_aid_requested = organization, hearing_aid
        user.save()
        users.append(user)
    tickets = []
    for doc_id, role, user in (
        ("tj_t", "Participant", "tijuana"),
        ("ts_t", "Organizer", "thomasina"),
        ("js_t", "Participant", "joshua"),
    ):
        ticket = domain_models.Ticket.new(doc_id=doc_id)
        ticket.role = role
        ticket.user = domain_models.User._get_collection().document(user)
        ticket.attendance = True
        ticket.save()
        tickets.append(ticket)
    location = domain_models.Location.new(doc_id="gilman")
    location.latitude, location.longitude = 32.880361, -117.242929
    location.address = "9500 Gilman Drive, La Jolla, CA"
    location.save()
    meeting = domain_models.Meeting.new(doc_id="meeting_1")
    meeting.users = [user.doc_ref for user in users]
    meeting.tickets = [ticket.doc_ref for ticket in tickets]
    meeting.location = location.doc_ref
    meeting.status = "in-session"
    meeting.save()


def main():
    Context.read(Config(app_name="bench", certificate_path=sys.argv[1], testing=True))
    seed()
    mediator = MeetingSessionViewMediatorDAV(view_model_cls=MeetingSessionDAV, meeting_cls=Meeting)
    mediator.start()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
