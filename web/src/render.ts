// What the page shows, as a function of its state. No Firestore or HTTP here.

import { h, hue, initials, type Child } from "./dom";
import { OUTSIDER, PEOPLE, type Person } from "./people";
import type { Attendee, MeetingSessionsView, UserProfilesView } from "./views";

export type Access = "loading" | "member" | "denied" | "missing" | "error";

export interface State {
  uid: string;
  meeting: string;
  access: Access;
  view: MeetingSessionsView | null;
  profile: UserProfilesView | null;
  updatedAt: Date | null;
  busy: "attendance" | "session" | null;
  notice: { kind: "error" | "info"; text: string } | null;
  problem: string | null;
}

export interface Actions {
  setAttendance(attendance: boolean): void;
  setInSession(inSession: boolean): void;
}

export function pickerScreen(people: Person[], meeting: string): HTMLElement {
  return h(
    "section",
    { class: "picker", "data-testid": "picker" },
    h("h1", {}, "Who are you?"),
    h(
      "p",
      { class: "lead" },
      "This page shows meeting ",
      h("code", {}, meeting),
      " as one participant sees it, live. ",
      "Pick someone, then open the page again in another window as someone else: ",
      "what one of you changes appears on the other's page at once.",
    ),
    h(
      "ul",
      { class: "people" },
      ...people.map((person) =>
        h(
          "li",
          {},
          h(
            "a",
            { class: "person", href: `?user=${encodeURIComponent(person.uid)}` },
            avatar(person.name),
            h(
              "span",
              { class: "text" },
              h("strong", {}, person.name),
              h("small", {}, person.detail),
            ),
          ),
        ),
      ),
    ),
    h(
      "p",
      { class: "fineprint" },
      "Local development: no password. The page identifies you to the Firestore emulator and ",
      "the API with an emulator token for that user id; in production you sign in with ",
      "Firebase Auth.",
    ),
  );
}

export function sessionScreen(state: State, actions: Actions): HTMLElement {
  const main = h("div", { class: "session", "data-state": state.access });
  if (state.access === "loading") {
    main.append(h("p", { class: "muted", "data-testid": "loading" }, "Connecting to Firestore…"));
  } else if (state.access === "denied" || state.access === "missing") {
    main.append(deniedCard(state));
  } else if (state.access === "error") {
    main.append(
      h(
        "section",
        { class: "card problem", "data-testid": "problem" },
        h("h2", {}, "Something went wrong"),
        h("p", {}, state.problem ?? "unknown error"),
      ),
    );
  } else if (state.view) {
    main.append(meetingCard(state, state.view), youCard(state, state.view, actions));
    main.append(attendeesCard(state, state.view));
  }
  main.append(footer(state));
  return main;
}

function meetingCard(state: State, view: MeetingSessionsView): HTMLElement {
  const open = view.inSession;
  return h(
    "section",
    { class: "card meeting" },
    h(
      "div",
      { class: "meeting-head" },
      h(
        "span",
        { class: `pill ${open ? "pill-open" : "pill-closed"}`, "data-testid": "status" },
        open ? "In session" : "Not in session",
      ),
      h("span", { class: "muted" }, "Meeting ", h("code", {}, state.meeting)),
    ),
    h("h1", { "data-testid": "address" }, view.address ?? "No address yet"),
    h("p", { class: "muted coords" }, coordinates(view)),
    h(
      "div",
      { class: "stats" },
      stat(view.attending.length, "attending", "attending-count"),
      stat(view.numHearingAidRequested, "hearing aids requested", "hearing-aids"),
    ),
  );
}

function youCard(state: State, view: MeetingSessionsView, actions: Actions): HTMLElement {
  const attending = isYou(state, view.attending);
  const busy = state.busy !== null;
  return h(
    "section",
    { class: "card you" },
    h("h2", {}, "You"),
    h(
      "p",
      { "data-testid": "your-attendance" },
      attending ? "You are attending this meeting." : "You are not attending this meeting.",
    ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          class: attending ? "secondary" : "primary",
          "data-testid": "toggle-attendance",
          disabled: busy,
          onclick: () => actions.setAttendance(!attending),
        },
        state.busy === "attendance"
          ? "Saving…"
          : attending
            ? "Leave the meeting"
            : "Join the meeting",
      ),
      h(
        "button",
        {
          class: "secondary",
          "data-testid": "toggle-session",
          disabled: busy,
          onclick: () => actions.setInSession(!view.inSession),
        },
        state.busy === "session"
          ? "Saving…"
          : view.inSession
            ? "Close the session"
            : "Reopen the session",
      ),
    ),
    state.notice
      ? h(
          "p",
          { class: `notice notice-${state.notice.kind}`, "data-testid": "notice" },
          state.notice.text,
        )
      : null,
  );
}

function attendeesCard(state: State, view: MeetingSessionsView): HTMLElement {
  const list = h(
    "ul",
    { class: "attendees", "data-testid": "attendees" },
    ...view.attending.map((attendee) => attendeeRow(attendee, isYou(state, [attendee]))),
  );
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Attending"),
    view.attending.length
      ? list
      : h("p", { class: "muted", "data-testid": "attendees" }, "Nobody is attending."),
  );
}

function attendeeRow(attendee: Attendee, you: boolean): HTMLElement {
  return h(
    "li",
    { "data-testid": "attendee" },
    avatar(attendee.name),
    h(
      "span",
      { class: "who" },
      h("strong", {}, attendee.name, you ? h("span", { class: "tag" }, "you") : null),
      h("small", {}, attendee.organization ?? ""),
    ),
    attendee.hearing_aid_requested
      ? h("span", { class: "badge", title: "Hearing aid requested" }, "Hearing aid")
      : null,
  );
}

function deniedCard(state: State): HTMLElement {
  const denied = state.access === "denied";
  return h(
    "section",
    { class: "card denied", "data-testid": "denied" },
    lockIcon(),
    h("h2", {}, `You can't see meeting ${state.meeting}`),
    h(
      "p",
      {},
      denied
        ? "Only its participants may see it, and you are not one of them: Firestore's security rules refused to show it to you."
        : "There is no such meeting for you (yet).",
    ),
    denied ? h("p", { class: "muted" }, h("code", {}, "permission-denied")) : null,
    h("p", {}, h("a", { href: "?" }, "Pick someone else")),
  );
}

function footer(state: State): HTMLElement {
  const source = `users/${state.uid}/meeting_sessions/${state.meeting}`;
  const children: Child[] = [
    state.access === "member" || state.access === "loading"
      ? h(
          "p",
          { class: "source" },
          "Live from your copy ",
          h("code", {}, source),
          " through Firestore's onSnapshot",
          state.updatedAt ? ` · updated ${state.updatedAt.toLocaleTimeString()}` : "",
        )
      : h(
          "p",
          { class: "source" },
          "You have no copy at ",
          h("code", {}, source),
          ", and ",
          h("code", {}, `meeting_sessions/${state.meeting}`),
          " is readable by its participants only.",
        ),
  ];
  if (state.access === "member") {
    const participants = PEOPLE.filter(
      (person) => person.uid !== state.uid && person.uid !== OUTSIDER,
    );
    children.push(
      h(
        "p",
        { class: "tip" },
        "Try it: open this page as ",
        ...participants.flatMap((person, index) => [
          index === 0 ? "" : " or ",
          h(
            "a",
            { href: `?user=${encodeURIComponent(person.uid)}`, target: "_blank" },
            firstName(person),
          ),
        ]),
        " in another window, then change something here and watch it arrive there. ",
        h("a", { href: `?user=${OUTSIDER}`, target: "_blank" }, "Mallory"),
        " is not invited: the rules keep the meeting from her.",
      ),
    );
  }
  return h("footer", { class: "page-foot" }, ...children);
}

function isYou(state: State, attendees: Attendee[]): boolean {
  // The view lists names, not user ids: you are the entry built from your own profile.
  const profile = state.profile;
  if (!profile) {
    return false;
  }
  const name = `${profile.first_name} ${profile.last_name}`;
  return attendees.some((a) => a.name === name && a.organization === profile.organization);
}

function stat(value: number, label: string, testid: string): HTMLElement {
  return h(
    "div",
    { class: "stat" },
    h("b", { "data-testid": testid }, value),
    h("span", {}, label),
  );
}

function avatar(name: string): HTMLElement {
  return h(
    "span",
    { class: "avatar", style: `--hue: ${hue(name)}`, "aria-hidden": "true" },
    initials(name),
  );
}

function coordinates(view: MeetingSessionsView): string {
  if (view.latitude === null || view.longitude === null) {
    return "";
  }
  return `${view.latitude.toFixed(5)}, ${view.longitude.toFixed(5)}`;
}

function firstName(person: Person): string {
  return person.name.split(" ")[0] ?? person.name;
}

function lockIcon(): SVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "lock");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML =
    '<rect x="4.5" y="10.5" width="15" height="10" rx="2.5" fill="currentColor"/>' +
    '<path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2"/>';
  return svg;
}
