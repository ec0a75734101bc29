// Who is using the page, and how Firestore and the HTTP API learn it.
//
// On the emulator there is no sign-in: the page names a user id, and identifies as that user
// exactly as the Firebase SDK's emulator option does. `connectFirestoreEmulator(...,
// { mockUserToken: { sub: uid } })` makes Firestore (and its security rules) see
// `request.auth.uid == uid`, and the HTTP API gets the very same unsigned token
// (`createMockUserToken`), which it accepts because `boiler dev` runs the functions in
// firebase-admin's emulator mode (FIREBASE_AUTH_EMULATOR_HOST). In production, Firebase Auth
// signs the user in and both get a real ID token instead: see docs/frontend.md.

import { createMockUserToken } from "@firebase/util";
import { initializeApp } from "firebase/app";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import type { PageConfig } from "./config";

export interface Session {
  /** The user's Firebase uid (a user document id of the app). */
  uid: string;
  /** Firestore, acting as that user. */
  firestore: Firestore;
  /** A Firebase ID token for `Authorization: Bearer` calls to the HTTP API. */
  idToken(): Promise<string>;
}

export function emulatorSession(config: PageConfig, uid: string): Session {
  const emulator = config.firestoreEmulator;
  if (!emulator) {
    throw new Error("config.json names no Firestore emulator: sign in with Firebase Auth instead");
  }
  const app = initializeApp({ projectId: config.projectId, apiKey: "demo-api-key" });
  const firestore = getFirestore(app);
  const mockUserToken = { sub: uid };
  connectFirestoreEmulator(firestore, emulator.host, emulator.port, { mockUserToken });
  const token = createMockUserToken(mockUserToken, config.projectId);
  return { uid, firestore, idToken: async () => token };
}
