// The HTTP mutations the page calls. Bodies are typed from views.yaml (see views.ts); the views
// change through the triggers, and the page sees that through its Firestore subscription.

import type { Session } from "./identity";
import type { AttendanceBody, InSessionBody, Mutations } from "./views";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly session: Session,
  ) {}

  /** PATCH /meeting_sessions/{meeting}/attendance: whether you attend. */
  setAttendance(meeting: string, body: AttendanceBody) {
    return this.patch<"set_attendance">(`meeting_sessions/${enc(meeting)}/attendance`, body);
  }

  /** PATCH /meeting_sessions/{meeting}: open or close the session. */
  setInSession(meeting: string, body: InSessionBody) {
    return this.patch<"set_in_session">(`meeting_sessions/${enc(meeting)}`, body);
  }

  private async patch<K extends keyof Mutations>(
    path: string,
    body: Mutations[K]["body"],
  ): Promise<Mutations[K]["result"]> {
    const response = await fetch(`${this.base}/${path}`, {
      method: "PATCH",
      headers: {
        Authorization: `Bearer ${await this.session.idToken()}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = answer?.error ?? {};
      throw new ApiError(
        response.status,
        String(error.code ?? "error"),
        String(error.message ?? response.statusText),
      );
    }
    return answer.result as Mutations[K]["result"];
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
