// generated from views.yaml by boiler; do not edit.
// Types of the view documents declared in views.yaml (as read with the Firebase SDKs and
// as the HTTP API's `data`) and of its HTTP mutations. Regenerate: boiler types -o FILE

/**
 * A `book_cards` view document, at `book_cards/{book}` (root: books).
 * Copied to `members/{member}/book_cards/{book}` for each of watchers.
 * Read policy: members: watchers.
 */
export interface BookCardsView {
  title: unknown;
  shelf: unknown;
  author_name: string | null;
  on_loan: boolean;
  open_loans: number;
  borrowers: Array<{
    loan: string | null;
    member: unknown;
  }>;
  watcher_ids: Array<string | null>;
  /** computed by library_app.hooks:blurb */
  blurb: string;
  /** computed by library_app.hooks:everything */
  everything: number;
}

/**
 * A `member_pages` view document, at `member_pages/{member}` (root: members).
 * Read policy: owner: member.
 */
export interface MemberPagesView {
  name: unknown;
  watching: unknown[];
}

/**
 * A `shelf_pages` view document, at `shelf_pages/{shelf}` (root: shelves).
 * Read policy: rule: request.auth.token.role == "librarian" || resource.data.label != "say \"hi\" \\ bye".
 */
export interface ShelfPagesView {
  label: unknown;
  titles: unknown[];
}

/** Body of `POST book-loans/{loan}/renew`. */
export interface RenewBody {
  days: number;
}

/**
 * Each view document type by the path templates its documents are read at (masters and
 * per-member copies).
 */
export interface ViewPaths {
  "book_cards/{book}": BookCardsView;
  "members/{member}/book_cards/{book}": BookCardsView;
  "member_pages/{member}": MemberPagesView;
  "shelf_pages/{shelf}": ShelfPagesView;
}

/**
 * Each HTTP mutation: method and route (relative to the API's URL), request body, and
 * the `result` of its answer `{"result": ...}`.
 */
export interface Mutations {
  close_shelf: {
    method: "DELETE";
    route: "shelves/{shelf}";
    body: null;
    result: null;
  };
  renew_loan: {
    method: "POST";
    route: "book-loans/{loan}/renew";
    body: RenewBody;
    result: null;
  };
}
