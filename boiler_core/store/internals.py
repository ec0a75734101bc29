"""The one module that touches private members of the Firestore client stack, and their probe.

boiler's fast path (:mod:`.fast`) goes below google-cloud-firestore's public API where the
public API cost a measured share of a large fan-out's CPU. Every private member it needs is named
here, and nowhere else in boiler: tests/unit/test_store_internals.py fails when another module of
``boiler_core`` touches a private name of google-cloud-firestore, gRPC or proto-plus. What they
are for:

- the client's channel, production's and the emulator's, gets gRPC's experimental
  ``ChannelOptions.SingleThreadedUnaryStream`` (streamed reads on the calling thread: about a
  third less client CPU on a 2,000-document read): ``Client._firestore_api``,
  ``._firestore_api_helper``, ``._emulator_channel``, ``._emulator_host``, ``._credentials``,
  ``base_client._GRPC_MSG_SIZE_OPTIONS`` (copied when the library has it);
- reads and commits go raw on the client's own channel, without a proto-plus wrapper per
  document (:class:`RawCalls`): ``Client._target``, ``._client_options``,
  ``._database_string``, ``._rpc_metadata``, and the generated transport's
  ``_wrapped_methods`` (which the generated client looks each call up in);
- a transaction begins with its first read (no ``BeginTransaction`` round trip), is retried with
  the first attempt's id and commits raw writes: ``Transaction._id``, ``._begin``,
  ``._clean_up``, ``._rollback``, ``._write_pbs``, ``._add_write_pbs`` (also ``WriteBatch``'s);
- a library query runs raw: ``Query._prep_stream`` gives its request;
- the few values the codec leaves to the library (vectors and other ``__type__`` maps) are
  decoded by ``_helpers.decode_dict``.

Private members can change in any release. :func:`probe` checks each of them once per process
(when the first :class:`~boiler_core.store.firestore.FirestoreStore` or
:func:`~boiler_core.store.firestore.firestore_client` is made, never at import): that it exists
with the shape the fast path uses, on a throwaway client and a transport on a channel that never
connects. The first probe of a process takes 3-5 ms, most of it gRPC's one-time set-up, which the
client's own channel then skips: making the first client took 1.2-1.5 ms longer with the probe
than without it (2 cores, 2026-12-08); importing boiler costs nothing more. When something is
missing or changed it logs one WARNING (what, the installed google-cloud-firestore version, and
that boiler uses the public API instead) and every store of the process that was not given
internals of its own uses :mod:`.public`: the same results, slower (one ``BeginTransaction``
round trip per transaction, the library's snapshots and conversions, streams handed over between
threads). The generated ``functions/requirements.txt`` pins the versions boiler's tests ran
(:mod:`boiler_core.codegen.pins`), so a deployed function meets a changed member only when other
versions are installed on purpose.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import grpc
from google.api_core.gapic_v1.method import DEFAULT
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client, FieldFilter
from google.cloud.firestore_v1.services.firestore import client as gapic_client
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport
from google.cloud.firestore_v1.types import firestore as firestore_types

LOG = logging.getLogger(__name__)

Auto = Literal["auto"]
AUTO: Auto = "auto"
"""Where an :class:`Internals` is asked for: use the probed one when the probe passed."""

_STREAM_ON_CALLER_NAME = "SingleThreadedUnaryStream"
"""The gRPC channel option (``grpc.experimental.ChannelOptions``) for streams read on the caller."""

_PROBE_PROJECT = "demo-boiler-probe"
_NEVER_CONNECTED = "127.0.0.1:9"
"""The probe's transport is built on a channel to this address, which it never uses."""

_RAW_METHODS = ("batch_get_documents", "run_query", "commit")


@dataclass(frozen=True)
class Library:
    """The parts of the installed client stack the probe looks at. Tests probe doctored ones."""

    version: str
    """The installed google-cloud-firestore version."""
    client_class: type[Any]
    transport_class: type[Any]
    helpers: Any
    """The library's private ``_helpers`` module (None when it cannot be imported)."""
    base_client: Any
    """The library's ``base_client`` module (None when it cannot be imported)."""
    channel_options: Any
    """``grpc.experimental.ChannelOptions`` (None when gRPC has no such thing)."""


def installed_library() -> Library:
    """The installed google-cloud-firestore and gRPC, as :func:`probe` looks at them."""
    from google.cloud import firestore

    return Library(
        version=str(getattr(firestore, "__version__", "unknown")),
        client_class=Client,
        transport_class=FirestoreGrpcTransport,
        helpers=_module("google.cloud.firestore_v1._helpers"),
        base_client=_module("google.cloud.firestore_v1.base_client"),
        channel_options=getattr(_module("grpc.experimental"), "ChannelOptions", None),
    )


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass(frozen=True)
class Probe:
    """What :func:`probe` found."""

    version: str
    problems: tuple[str, ...]
    """The members missing or changed, each with what the fast path expected; empty when the
    fast path can be used."""
    internals: Internals | None
    """The fast path's access to the members, None when something is missing or changed."""

    def report(self) -> str:
        """The WARNING line, in words."""
        return (
            f"boiler: google-cloud-firestore {self.version} lacks client internals boiler's fast "
            f"path uses ({'; '.join(self.problems)}); boiler uses the client's public API "
            "instead: correct, slower. Install the versions boiler pins (the generated "
            "functions/requirements.txt) to get the fast path back."
        )


_probed: Probe | None = None
_probe_lock = threading.Lock()


def probe(library: Library | None = None) -> Probe:
    """Check every private member the fast path uses; log one WARNING when one is missing or
    changed. Without ``library``: the installed one, probed once per process and remembered (the
    WARNING is logged once); with it, probed on every call."""
    global _probed
    if library is not None:
        return _run_probe(library)
    with _probe_lock:
        if _probed is None:
            _probed = _run_probe(installed_library())
        return _probed


def _run_probe(library: Library) -> Probe:
    problems = _problems(library)
    found = Probe(library.version, tuple(problems), None if problems else Internals(library))
    if problems:
        LOG.warning(found.report())
    return found


def _problems(library: Library) -> list[str]:
    """Each member the fast path needs that is missing or not as it expects, in words."""
    problems: list[str] = []

    def check(what: str, test: Callable[[], object]) -> None:
        try:
            ok = test()
        except Exception as exc:  # a missing member, or one that fails when used
            problems.append(f"{what}: {type(exc).__name__}: {exc}")
            return
        if not ok:
            problems.append(f"{what}: not as expected")

    client_class = library.client_class
    check(
        "Client._firestore_api (a property)",
        lambda: isinstance(inspect.getattr_static(client_class, "_firestore_api"), property),
    )
    try:
        client = client_class(project=_PROBE_PROJECT, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    except Exception as exc:
        return [*problems, f"Client(project, credentials): {type(exc).__name__}: {exc}"]
    check(
        "Client._firestore_api_helper(transport, client_class, client_module)",
        lambda: _takes(client._firestore_api_helper, "transport", "client_class", "client_module"),
    )
    check("Client._emulator_channel(transport)", lambda: _takes(client._emulator_channel, ""))
    for name in ("_emulator_host", "_credentials", "_client_options"):
        check(f"Client.{name}", partial(hasattr, client, name))
    check("Client._target (the API host)", lambda: isinstance(client._target, str))
    check(
        "Client._database_string",
        lambda: client._database_string == f"projects/{_PROBE_PROJECT}/databases/(default)",
    )
    check(
        "Client._rpc_metadata (header pairs)",
        lambda: all(len(pair) == 2 for pair in client._rpc_metadata),
    )
    transaction = client.transaction()
    check("Transaction._id (None before it begins)", lambda: transaction._id is None)
    check("Transaction._write_pbs (a list)", lambda: transaction._write_pbs == [])
    check("Transaction._begin(retry_id)", lambda: _takes(transaction._begin, "retry_id"))
    check("Transaction._clean_up()", lambda: _takes(transaction._clean_up))
    check("Transaction._rollback()", lambda: _takes(transaction._rollback))
    check("Transaction._add_write_pbs(write_pbs)", lambda: _takes(transaction._add_write_pbs, ""))
    check("WriteBatch._add_write_pbs(write_pbs)", lambda: _takes(client.batch()._add_write_pbs, ""))
    query = client.collection("probe").where(filter=FieldFilter("field", "==", 1))
    check(
        "Query._prep_stream(transaction, retry) -> (request, ...)",
        lambda: {"parent", "structured_query"} <= set(_query_request(query)),
    )
    helpers = library.helpers
    check("_helpers.decode_dict(value_fields, client)", lambda: _takes(helpers.decode_dict, "", ""))
    check(
        f"grpc.experimental.ChannelOptions.{_STREAM_ON_CALLER_NAME}",
        lambda: isinstance(getattr(library.channel_options, _STREAM_ON_CALLER_NAME), str),
    )
    check(
        "the generated transport's _wrapped_methods (keyed by each call's stub)",
        lambda: _raw_calls_wired(library.transport_class),
    )
    return problems


def _takes(function: Callable[..., Any], *parameters: str) -> bool:
    """True when ``function`` takes at least these positional-or-keyword parameters (an empty
    name matches any parameter in that place)."""
    names = list(inspect.signature(function).parameters)
    if len(names) < len(parameters):
        return False
    return all(not want or want == got for want, got in zip(parameters, names, strict=False))


def _raw_calls_wired(transport_class: type[Any]) -> bool:
    """Whether a :class:`RawCalls` transport's raw stubs are the ones the generated client calls
    (it looks each call up in ``_wrapped_methods`` by the transport property's value)."""
    if not issubclass(RawCalls, transport_class):
        return False
    channel = grpc.insecure_channel(_NEVER_CONNECTED)
    try:
        transport = RawCalls(host="firestore.googleapis.com", channel=channel)
        wrapped = transport._wrapped_methods
        return all(getattr(transport, name) in wrapped for name in _RAW_METHODS)
    finally:
        channel.close()


def _query_request(query: Any) -> dict[str, Any]:
    request, _, _ = query._prep_stream(None, DEFAULT)
    return dict(request)


class Internals:
    """The fast path's access to private members, each behind a method named for what it does.
    Made by :func:`probe` when every member is there."""

    def __init__(self, library: Library) -> None:
        self._decode_dict = library.helpers.decode_dict
        self._size_options = tuple(getattr(library.base_client, "_GRPC_MSG_SIZE_OPTIONS", ()))
        self._stream_on_caller = (getattr(library.channel_options, _STREAM_ON_CALLER_NAME), 1)
        self.transport = _transport_streaming_on_caller(self._stream_on_caller)
        """The library's gRPC transport class, whose production channel streams on the caller."""

    # -- the client and its channel --------------------------------------------------------------

    def client(self, **kwargs: Any) -> Client:
        """A library ``Client`` (same arguments) whose channel, production's or the emulator's,
        reads streamed responses on the calling thread."""
        return _FastClient(self, **kwargs)

    def emulator_options(self) -> list[Any]:
        """The options the library gives its emulator channel (its message size limits, when it
        sets any), plus the option that reads streams on the calling thread."""
        return [*self._size_options, self._stream_on_caller]

    def raw_api(self, client: Client) -> Any:
        """A generated ``FirestoreClient`` on ``client``'s channel and options whose streaming
        reads and commit answer raw protocol buffers (:class:`RawCalls`)."""
        channel = client._firestore_api.transport.grpc_channel
        transport = RawCalls(host=client._target, channel=channel)
        return gapic_client.FirestoreClient(
            transport=transport, client_options=client._client_options
        )

    def database(self, client: Client) -> str:
        """``projects/P/databases/D``: the database of ``client``, as requests name it."""
        database: str = client._database_string
        return database

    def metadata(self, client: Client) -> Sequence[tuple[str, str]]:
        """The request metadata ``client`` sends with every call (routing, emulator identity)."""
        metadata: Sequence[tuple[str, str]] = client._rpc_metadata
        return metadata

    # -- transactions and batches ----------------------------------------------------------------

    def transaction_id(self, transaction: Any) -> bytes | None:
        """The id of the library ``transaction`` (None when it has not begun)."""
        found: bytes | None = transaction._id
        return found

    def adopt(self, transaction: Any, transaction_id: bytes) -> None:
        """Make ``transaction`` the one the server began with ``transaction_id`` (sent back with
        a read that asked for a new transaction), so that its rollback ends that one."""
        transaction._id = transaction_id

    def begin(self, transaction: Any, retry_id: bytes | None) -> None:
        """Begin ``transaction`` with a ``BeginTransaction`` call (retrying ``retry_id``)."""
        transaction._begin(retry_id=retry_id)

    def clean_up(self, transaction: Any) -> None:
        """Forget ``transaction``'s id and buffered writes, as before a new attempt."""
        transaction._clean_up()

    def rollback(self, transaction: Any) -> None:
        """Roll ``transaction`` back (a ``Rollback`` call), then clean it up."""
        transaction._rollback()

    def add_writes(self, batch: Any, writes: Sequence[Any]) -> None:
        """Buffer ``Write`` messages in a library transaction or write batch."""
        batch._add_write_pbs(list(writes))

    def buffered_writes(self, transaction: Any) -> Sequence[Any]:
        """The ``Write`` messages buffered in a library transaction, in order."""
        writes: Sequence[Any] = transaction._write_pbs
        return writes

    # -- queries and values ----------------------------------------------------------------------

    def query_request(self, query: Any) -> dict[str, Any]:
        """The ``RunQuery`` request of a library ``Query``, outside any transaction."""
        request = _query_request(query)
        request.pop("transaction", None)
        return request

    def decode_map(self, fields: Any, client: Client) -> Any:
        """A map value's fields decoded by the library (vectors and other special types)."""
        return self._decode_dict(fields, client)


class _FastClient(Client):
    """A library ``Client`` whose channel (emulator or production) streams on the calling
    thread; everything else is the library's."""

    def __init__(self, internals: Internals, **kwargs: Any) -> None:
        self.boiler_internals = internals
        super().__init__(**kwargs)

    @property
    def _firestore_api(self) -> Any:
        transport = self.boiler_internals.transport
        return self._firestore_api_helper(transport, gapic_client.FirestoreClient, gapic_client)

    def _emulator_channel(self, transport: Any) -> grpc.Channel:
        # The library's emulator channel: a bearer token the emulator takes as an identity
        # ("owner" unless the credentials carry an ID token), and the library's options.
        token = getattr(self._credentials, "id_token", None) or "owner"
        options = [("Authorization", f"Bearer {token}"), *self.boiler_internals.emulator_options()]
        return grpc.insecure_channel(self._emulator_host, options=options)


def _transport_streaming_on_caller(option: tuple[str, int]) -> type[FirestoreGrpcTransport]:
    """The library's gRPC transport class whose production channel also has ``option``."""

    class Transport(FirestoreGrpcTransport):
        @classmethod
        def create_channel(cls, *args: Any, **kwargs: Any) -> grpc.Channel:
            kwargs["options"] = [*(kwargs.get("options") or ()), option]
            return super().create_channel(*args, **kwargs)

    return Transport


def _raw_call(method: str, *, streaming: bool = True) -> Any:
    """A transport property: the stub of the Firestore API's ``method`` (made once per
    transport), taking the library's proto-plus request and answering the raw protocol buffer
    of each response."""
    request = getattr(firestore_types, f"{method}Request")
    response = getattr(firestore_types, f"{method}Response")

    def stub(self: RawCalls) -> Any:
        found = self.raw_stubs.get(method)
        if found is None:
            channel = self.grpc_channel
            kind = channel.unary_stream if streaming else channel.unary_unary
            found = self.raw_stubs[method] = kind(
                f"/google.firestore.v1.Firestore/{method}",
                request_serializer=request.serialize,
                response_deserializer=response.pb().FromString,
            )
        return found

    return property(stub)


class RawCalls(FirestoreGrpcTransport):
    """The transport of the fast path's reads and commits, on the client's own channel: the
    library's (with its retries and error mapping), except that the two streaming reads hand back
    the raw protocol buffer of each response instead of wrapping it in a proto-plus message that
    the codec would unwrap again (one wrapper per document read), and ``Commit`` answers with its
    raw response (one wrapper per write result otherwise). The library's own stubs go through a
    logging interceptor (debug logging of requests); these use the channel directly."""

    def __init__(self, **kwargs: Any) -> None:
        self.raw_stubs: dict[str, Any] = {}
        super().__init__(**kwargs)

    batch_get_documents = _raw_call("BatchGetDocuments")
    run_query = _raw_call("RunQuery")
    commit = _raw_call("Commit", streaming=False)
