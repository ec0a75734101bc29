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

set_global_options(region="europe-west1")

MANIFEST = """\
version: 1
project:
  region: europe-west1
  runtime: python312
  emulator_project_id: demo-library
  functions_dir: .
  cors_origins:
  - https://library.example.com
  - http://localhost:5173
collections:
  authors:
    path: authors/{author}
    schema: library_app.schemas:AuthorSchema
  books:
    path: books/{book}
    client:
      read: signed-in
      write:
        rule: request.auth.token.role == "librarian"
  book-loans:
    path: book-loans/{loan}
  members:
    path: members/{member}
    client:
      read:
        owner: member
      write:
        owner: member
  shelves:
    path: shelves/{shelf}
    client:
      read: public
views:
  book_cards:
    path: book_cards/{book}
    root: books
    joins:
      author:
        collection: authors
        ref: author
      loans:
        collection: book-loans
        query: book
        op: ==
        key: id
      borrower:
        collection: members
        ref: member
        parent: loans
      watchers:
        collection: members
        refs: watchers
    fields:
      title: title
      shelf: shelf
      author_name:
        source: author.name
        default: unknown author
      on_loan:
        source: status
        equals: on loan
      open_loans:
        count: loans
        where:
          returned: false
      borrowers:
        list: loans
        where:
          returned: false
        sort:
        - -due
        - $id
        limit: 3
        item:
          loan: $id
          member: borrower.name
      watcher_ids:
        list: watchers
        item: $id
      blurb:
        hook: library_app.hooks:blurb
        reads:
        - title
        - author.name
      everything:
        hook: library_app.hooks:everything
    copies:
    - path: members/{member}/book_cards/{book}
      for_each: watchers
    read:
      members: watchers
  member_pages:
    path: member_pages/{member}
    root: members
    joins:
      watching:
        collection: books
        query: watchers
        op: array-contains
    fields:
      name: name
      watching:
        list: watching
        sort:
        - title
        item: title
    read:
      owner: member
  shelf_pages:
    path: shelf_pages/{shelf}
    root: shelves
    joins:
      cards:
        collection: book_cards
        query: shelf
        op: ==
        key: id
    fields:
      label: label
      titles:
        list: cards
        item: title
    read:
      rule: request.auth.token.role == "librarian" || resource.data.label != "say \\"hi\\" \\\\
        bye"
mutations:
  renew_loan:
    route: POST book-loans/{loan}/renew
    body: library_app.schemas:RenewBody
    handler: library_app.mutations:renew
    policy:
      hook: library_app.mutations:may_renew
  close_shelf:
    route: DELETE shelves/{shelf}
    handler: library_app.mutations:close_shelf
    policy: public
"""

triggers = Triggers(MANIFEST, base_dir=Path(__file__).resolve().parent)
http_api = DeployedApi(triggers.manifest, base_dir=triggers.base_dir)


@firestore_fn.on_document_written(document="authors/{author}")
def on_authors_written(event: WrittenEvent) -> None:
    """Recompute book_cards when a document of authors is written."""
    triggers.on_written("authors", event)


@firestore_fn.on_document_written(document="book-loans/{loan}")
def on_book_loans_written(event: WrittenEvent) -> None:
    """Recompute book_cards when a document of book-loans is written."""
    triggers.on_written("book-loans", event)


@firestore_fn.on_document_written(document="book_cards/{book}")
def on_book_cards_written(event: WrittenEvent) -> None:
    """Recompute shelf_pages when a document of book_cards is written."""
    triggers.on_written("book_cards", event)


@firestore_fn.on_document_written(document="books/{book}")
def on_books_written(event: WrittenEvent) -> None:
    """Recompute book_cards, member_pages when a document of books is written."""
    triggers.on_written("books", event)


@firestore_fn.on_document_written(document="members/{member}")
def on_members_written(event: WrittenEvent) -> None:
    """Recompute book_cards, member_pages when a document of members is written."""
    triggers.on_written("members", event)


@firestore_fn.on_document_written(document="shelves/{shelf}")
def on_shelves_written(event: WrittenEvent) -> None:
    """Recompute shelf_pages when a document of shelves is written."""
    triggers.on_written("shelves", event)


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
