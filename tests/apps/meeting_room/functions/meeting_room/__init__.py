"""The meeting-room app as boiler's own tests use it (schemas, view hooks, mutation handlers,
fixture): a copy of the example app, so that editing the example cannot break these tests."""
