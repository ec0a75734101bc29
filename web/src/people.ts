// Whom the page offers to sign in as on the emulator: the users of the meeting-room fixture
// (functions/meeting_room/fixture.py) and one user who is not invited to its meeting.

export interface Person {
  uid: string;
  name: string;
  detail: string;
}

export const MEETING = "meeting_1";
export const OUTSIDER = "mallory";

export const PEOPLE: Person[] = [
  { uid: "tijuana", name: "Tijuana Furlong", detail: "UCSD · participant" },
  { uid: "thomasina", name: "Thomasina Manes", detail: "UCSD · organizer" },
  { uid: "joshua", name: "Joshua Pendergrast", detail: "SDSU · participant" },
  { uid: OUTSIDER, name: "Mallory Quinn", detail: "not invited to this meeting" },
];

export function personNamed(uid: string): Person | undefined {
  return PEOPLE.find((person) => person.uid === uid);
}
