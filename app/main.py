"""The app factory: everything is built here from a Settings, nothing at import time."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from fastapi import FastAPI

from app.callbacks.hooks import HOOK_PATH, HookStore
from app.core.keys import load_or_create_secret
from app.core.resources import resource_dir
from app.core.settings import Settings
from app.demo.service import Demo, DemoParts
from app.frames.guard import FrameGuard
from app.frames.owners import FrameOwners, ThumbLinks
from app.frames.refs import FrameStore
from app.frames.uploads import UploadSlots
from app.gateway.protocol import install_gateway_protocol
from app.gateway.routes import gateway_router
from app.media.copies import MediaStore, VideoSaver
from app.metrics.exposition import Metrics
from app.metrics.replica import ReplicaMetrics
from app.relays.service import RelayCheck
from app.runway.client import RunwayClient
from app.runway.guard import GuardedTransport, GuardPolicy
from app.runway.pools import engine_transport
from app.runway.upstreams import UpstreamAccess
from app.simulator.app import create_simulator_app
from app.storage.database import Database
from app.storage.objects import open_object_store
from app.storage.task_store import TaskStore
from app.tasks.hook_receiver import HookReceiver
from app.tasks.recording import TaskRecorder
from app.tasks.refresh import Refresher
from app.tasks.service import TaskService
from app.tasks.submission import Submission
from app.tasks.unwatched import UnwatchedTasks
from app.team.account import UpstreamAccounts
from app.team.budgets import Budgets
from app.team.members import Members
from app.team.refusals import count_refusal
from app.team.sessions import Sessions, password_tag
from app.team.usage import Usage
from app.web import (
    admin,
    admin_api,
    admin_members,
    api,
    demo,
    docs,
    downloads,
    hook_routes,
    login,
    metrics,
    pages,
)
from app.web.container import Running, Services
from app.web.deps import install_services
from app.web.errors import install_error_handlers
from app.web.middleware.access import AccessMiddleware, LoginLimiter
from app.web.middleware.body_limit import BodyLimitMiddleware
from app.web.middleware.client_scope import ClientScopeMiddleware
from app.web.middleware.compression import CompressionMiddleware
from app.web.middleware.csrf import CsrfMiddleware
from app.web.middleware.header_limit import HeaderLimitMiddleware
from app.web.middleware.headers import SecurityHeadersMiddleware
from app.web.middleware.language import LanguageMiddleware
from app.web.render import make_templates
from app.web.static_urls import VersionedStaticFiles

VIDEO_LIMIT_BYTES = 512 * 1024 * 1024
# An idle upstream connection is dropped before the upstream drops it: uvicorn (the simulator,
# many relays) closes an idle keep-alive connection after 5 s, httpx kept one 5 s too, so a
# create sent on a connection the server was closing that moment failed (ReadError, a 502),
# and a create is never retried.
UPSTREAM_KEEPALIVE_S = 4.0


def network_transport(policy: GuardPolicy) -> GuardedTransport:
    """The pooled transport for real upstreams, guarded at connect time; nothing on top of it
    follows redirects, so a relay cannot bounce the console to an address the guard refused."""
    tls = httpx.create_ssl_context()  # once: loading the CA bundle takes ~20 ms a context
    return GuardedTransport(policy, engine_transport(tls, UPSTREAM_KEEPALIVE_S))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the console; tests pass their own settings (a fresh data dir each)."""
    settings = settings or Settings()
    problem = settings.startup_problem()
    if problem:
        raise RuntimeError(problem)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    simulator = create_simulator_app(
        settings.data_dir / "simulator",
        speed=settings.simulator_speed,
        public_base=f"{settings.public_url.rstrip('/')}/simulator",
        # notify_hook callbacks only to this console's receiver, and none without a public URL.
        callback_prefix=f"{settings.public_url.rstrip('/')}{HOOK_PATH}"
        if settings.public_url
        else None,
    )
    database = Database(settings.resolved_database_url)
    storage = TaskStore(database)  # the one: its record cache is exact only if it is alone
    guard = FrameGuard(database)
    # Frames, thumbnails and videos: under the data dir, or in S3 shared by every replica.
    objects = open_object_store(settings.object_store, settings.data_dir, settings.s3_env())
    secret = load_or_create_secret(
        settings.secret_key.get_secret_value() if settings.secret_key else None, settings.data_dir
    )
    # One policy for both checks of the SSRF guard: the address at submit, the IP at connect.
    policy = GuardPolicy(settings.allow_private_upstreams, tuple(settings.allowed_upstreams))
    upstreams = UpstreamAccess(settings, secret, policy)
    frames = FrameStore(objects)
    media = MediaStore(objects, settings.data_dir / "scratch")
    owners = FrameOwners(  # the only one
        database, guard, frames, settings.frame_bytes_per_day, settings.frame_bytes_per_address_day
    )
    counters = ReplicaMetrics()  # this process's own; the team's totals come from the database

    password = settings.password.get_secret_value() if settings.password else None
    services = Services(
        settings=settings,
        database=database,
        task_store=storage,
        upstreams=upstreams,
        frames=frames,
        frame_owners=owners,
        thumbs=ThumbLinks(secret),
        media=media,
        templates=make_templates(secret, settings),
        login_limiter=LoginLimiter(),
        members=Members(database),
        usage=Usage(database),
        metrics=Metrics(database, counters),
        hooks=HookStore(database),
        sessions=Sessions(database, password_tag(secret, password)) if password else None,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.migrate()
        await asyncio.to_thread(frames.sweep_parts)
        if services.sessions is not None:
            await services.sessions.prune(time.time())
        client = RunwayClient(
            network_transport(policy),
            httpx.ASGITransport(simulator, raise_app_exceptions=False),
            httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            observe=counters.upstream_request,
        )
        saver = VideoSaver(
            storage,
            media,
            client,
            VIDEO_LIMIT_BYTES,
            timeout_s=settings.read_timeout_s * 10,
            lease_s=settings.video_lease_s,
        )
        recorder = TaskRecorder(storage)
        refusals = partial(count_refusal, database)
        budgets = Budgets(services.usage, upstreams.default_address, refusals)
        refresher = Refresher(settings, storage, client, upstreams, saver, budgets)
        submission = Submission(
            storage, frames, client, upstreams, refresher, recorder, budgets=budgets, owners=owners
        )
        receiver = HookReceiver(storage, services.hooks, refresher, upstreams)
        tasks = TaskService(
            public_url=settings.public_url,
            storage=storage,
            owners=owners,
            media=media,
            client=client,
            upstreams=upstreams,
            secret=secret,
            refresher=refresher,
            submission=submission,
            receiver=receiver,
        )
        uploads = UploadSlots(client, upstreams, owners.allowance)
        simulator.state.sim.upload_gate = uploads.admit  # what it keeps counts here
        parts = DemoParts(settings, storage, frames, media, secret, owners, uploads)
        running = Running(
            tasks=tasks,
            demo=Demo(tasks, parts),
            receiver=receiver,
            relay_check=RelayCheck(settings, client, upstreams, services.hooks, tasks.submit),
            upload_slots=uploads,
            accounts=UpstreamAccounts(client, upstreams),
        )
        services.start(running)
        await saver.resume()
        unwatched = UnwatchedTasks(
            database,
            lambda record: tasks.refresh(record, tasks.caller(None)),
            settings.poll_interval_s,
        )
        if settings.runwayml_api_secret:  # only the operator's key is ever held by the server
            unwatched.start()
        try:
            yield
        finally:
            await unwatched.close()
            await refresher.close()
            await saver.close()
            await recorder.close()
            await client.aclose()
            services.stop()
            await guard.close()
            await database.close()
            simulator.state.sim.renderer.shutdown()

    # /docs is our own page (app/web/docs.py): FastAPI's loads a CDN with an inline script.
    app = FastAPI(
        title="Runway Console", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    install_services(app, services)
    app.add_middleware(CsrfMiddleware)
    app.add_middleware(
        AccessMiddleware,
        password=password,
        sessions=services.sessions,
        limiter=services.login_limiter,
    )
    app.add_middleware(ClientScopeMiddleware, secret=secret)  # the address frames count to
    install_gateway_protocol(app)  # CORS outside the login and CSRF checks, on /v1/ alone
    app.add_middleware(BodyLimitMiddleware, limit_bytes=settings.max_upload_bytes)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(HeaderLimitMiddleware)  # outermost: nothing reads an oversized head
    install_error_handlers(app)
    # FastAPI tries the routers in this order, every route of each in turn: the JSON API and
    # the gateway, called most, come first (0.1 ms a call, bench/README.md).
    app.include_router(downloads.task_files)
    app.include_router(api.router)
    app.include_router(gateway_router())
    app.include_router(downloads.router)
    app.include_router(login.router)
    app.include_router(docs.router)
    app.include_router(admin.router)
    app.include_router(admin_members.router)
    app.include_router(admin_api.router)
    app.include_router(metrics.router)
    demo.install(app, settings)  # before the pages: with CONSOLE_DEMO_HOME it takes `/`
    app.include_router(hook_routes.router)
    app.include_router(pages.router)
    app.mount("/static", VersionedStaticFiles(directory=resource_dir("static")), name="static")
    app.mount("/simulator", simulator, name="simulator")
    # The simulator's callbacks reach the receiver through this app, never over the network.
    simulator.state.sim.callbacks.transport = httpx.ASGITransport(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
