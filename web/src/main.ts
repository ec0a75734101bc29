// The live meeting page: pick a participant, then see your own copy of the meeting session
// (users/{you}/meeting_sessions/{meeting}) update in real time, and change your attendance and
// the session's state through the HTTP API. The views are written by boiler's triggers; this
// page never computes them, it only subscribes.

import {
  doc,
  getDoc,
  onSnapshot,
  type DocumentData,
  type FirestoreDataConverter,
  type FirestoreError,
  type QueryDocumentSnapshot,
} from "firebase/firestore";
import { Api, ApiError } from "./api";
import { loadConfig } from "./config";
import { h } from "./dom";
import { emulatorSession, type Session } from "./identity";
import { MEETING, PEOPLE, personNamed } from "./people";
import { pickerScreen, sessionScreen, type State } from "./render";
import type { ViewPaths } from "./views";

type CopyDoc = ViewPaths["users/{user}/meeting_sessions/{meeting}"];
type ProfileDoc = ViewPaths["user_profiles/{user}"];

/** Reads a view document as its generated type (views are read-only for clients). */
function viewOf<T>(): FirestoreDataConverter<T, DocumentData> {
  return {
    toFirestore: () => {
      throw new Error("clients never write views");
    },
    fromFirestore: (snapshot: QueryDocumentSnapshot) => snapshot.data() as T,
  };
}

async function start(): Promise<void> {
  const root = document.getElementById("app")!;
  const params = new URLSearchParams(location.search);
  const uid = params.get("user");
  const meeting = params.get("meeting") ?? MEETING;
  if (!uid) {
    document.title = "Meeting room · pick a participant";
    root.replaceChildren(pickerScreen(PEOPLE, meeting));
    return;
  }
  const config = await loadConfig();
  const session = emulatorSession(config, uid);
  const api = new Api(config.functions.api ?? "/api", session);
  showSession(root, session, api, meeting);
}

function showSession(root: HTMLElement, session: Session, api: Api, meeting: string): void {
  const state: State = {
    uid: session.uid,
    meeting,
    access: "loading",
    view: null,
    profile: null,
    updatedAt: null,
    busy: null,
    notice: null,
    problem: null,
  };
  const render = () => {
    const name = state.profile
      ? `${state.profile.first_name} ${state.profile.last_name}`
      : (personNamed(session.uid)?.name ?? session.uid);
    document.title = `Meeting room · ${name}`;
    document
      .getElementById("who")!
      .replaceChildren(
        h("span", {}, "Signed in as ", h("strong", { "data-testid": "signed-in-as" }, name)),
        h("a", { href: "?", class: "switch" }, "Switch"),
      );
    root.replaceChildren(sessionScreen(state, actions));
  };
  let snapshots = 0; // of your copy, so far
  const failed = (error: FirestoreError) => {
    state.access = error.code === "permission-denied" ? "denied" : "error";
    state.problem = `${error.code}: ${error.message}`;
    render();
  };
  const run = async (busy: "attendance" | "session", call: () => Promise<unknown>) => {
    state.busy = busy;
    state.notice = null;
    render();
    const seen = snapshots;
    try {
      await call();
      if (snapshots === seen) {
        // shown until the view arrives through the subscription
        state.notice = { kind: "info", text: "Saved. Waiting for the view to follow…" };
      }
    } catch (error) {
      const text = error instanceof ApiError ? `${error.message} (${error.status})` : String(error);
      state.notice = { kind: "error", text: `Not changed: ${text}` };
    } finally {
      state.busy = null;
      render();
    }
  };
  const actions = {
    setAttendance: (attendance: boolean) =>
      run("attendance", () => api.setAttendance(meeting, { attendance })),
    setInSession: (inSession: boolean) =>
      run("session", () => api.setInSession(meeting, { inSession })),
  };

  const db = session.firestore;
  const copy = doc(db, "users", session.uid, "meeting_sessions", meeting).withConverter(
    viewOf<CopyDoc>(),
  );
  onSnapshot(
    copy,
    (snapshot) => {
      snapshots += 1;
      state.updatedAt = new Date();
      if (state.notice?.kind === "info") {
        state.notice = null; // "waiting for the view": it has arrived
      }
      if (snapshot.exists()) {
        state.access = "member";
        state.view = snapshot.data();
        render();
        return;
      }
      // No copy of your own: either you are not a participant, or the meeting is gone. Asking
      // for the meeting itself tells which: its rules let only participants read it.
      state.view = null;
      getDoc(doc(db, "meeting_sessions", meeting)).then(() => {
        state.access = "missing";
        render();
      }, failed);
    },
    failed,
  );
  const profile = doc(db, "user_profiles", session.uid).withConverter(viewOf<ProfileDoc>());
  onSnapshot(
    profile,
    (snapshot) => {
      state.profile = snapshot.exists() ? snapshot.data() : null;
      render();
    },
    () => undefined, // the profile only names you; the meeting works without it
  );
  render();
}

start().catch((error: unknown) => {
  document
    .getElementById("app")!
    .replaceChildren(
      h(
        "section",
        { class: "card problem", "data-testid": "problem" },
        h("h2", {}, "The page could not start"),
        h("p", {}, String(error)),
      ),
    );
});
