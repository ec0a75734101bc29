// generated from views.yaml by boiler; do not edit.
// Types of the view documents declared in views.yaml (as read with the Firebase SDKs and
// as the HTTP API's `data`) and of its HTTP mutations. Regenerate: boiler types -o FILE

/** One entry of a meeting session's `attending` list. */
export interface Attendee {
  name: string;
  organization: string | null;
  hearing_aid_requested: boolean;
}

/**
 * A `meeting_sessions` view document, at `meeting_sessions/{meeting}` (root: meetings).
 * Copied to `users/{user}/meeting_sessions/{meeting}` for each of users.
 * Read policy: members: users.
 */
export interface MeetingSessionsView {
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  inSession: boolean;
  /** computed by meeting_room.hooks:attending */
  attending: Attendee[];
  /** computed by meeting_room.hooks:num_hearing_aid_requested */
  numHearingAidRequested: number;
}

/**
 * A `user_profiles` view document, at `user_profiles/{user}` (root: users).
 * Read policy: owner: user.
 */
export interface UserProfilesView {
  first_name: string | null;
  last_name: string | null;
  organization: string | null;
  hearing_aid_requested: boolean | null;
  meetings: Array<{
    meeting: string | null;
    status: "not-started" | "in-session" | "closed" | null;
    address: string | null;
  }>;
}

/** Body of `PATCH /meeting_sessions/{meeting}/attendance`: the caller's own attendance. */
export interface AttendanceBody {
  attendance: boolean;
}

/** Body of `PATCH /meeting_sessions/{meeting}`: open or close the session. */
export interface InSessionBody {
  inSession: boolean;
}

/**
 * Each view document type by the path templates its documents are read at (masters and
 * per-member copies).
 */
export interface ViewPaths {
  "meeting_sessions/{meeting}": MeetingSessionsView;
  "users/{user}/meeting_sessions/{meeting}": MeetingSessionsView;
  "user_profiles/{user}": UserProfilesView;
}

/**
 * Each HTTP mutation: method and route (relative to the API's URL), request body, and
 * the `result` of its answer `{"result": ...}`.
 */
export interface Mutations {
  set_attendance: {
    method: "PATCH";
    route: "meeting_sessions/{meeting}/attendance";
    body: AttendanceBody;
    result: Record<string, unknown>;
  };
  set_in_session: {
    method: "PATCH";
    route: "meeting_sessions/{meeting}";
    body: InSessionBody;
    result: Record<string, unknown>;
  };
}
