"""A small app for the HTTP API's tests: boards, their notes and editors."""
