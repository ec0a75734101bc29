// Where the page finds Firestore and the HTTP API: /config.json, next to the page.
// `boiler dev` serves it with the emulator's port and the API on the page's own origin; in
// production it is a static file deployed with the page (docs/frontend.md).

export interface PageConfig {
  /** The Firebase project id (`demo-boiler` on the emulator). */
  projectId: string;
  /** Firebase web app settings for production (apiKey, authDomain, ...); unused locally. */
  firebase?: Record<string, string>;
  /** Set locally: the Firestore emulator to connect to. */
  firestoreEmulator?: { host: string; port: number };
  /** Base URL of each HTTP function: `{"api": "/api"}`. */
  functions: Record<string, string>;
}

export async function loadConfig(): Promise<PageConfig> {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`config.json answered ${response.status}`);
  }
  return (await response.json()) as PageConfig;
}
