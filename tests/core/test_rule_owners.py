"""Rules the console decides in one place, held so that a second copy fails a test.

A rule kept twice drifts (issue 29: a relay's negative cost refunded a member through a copy of
the credits rule). Where the rule is "only one module may do this", the tree is read for a
second one; where it is a value, the callers are checked against the owner's answer.
"""

import ast
import re
from datetime import UTC, datetime

import pytest

from app.catalog.credits import cheapest_task, estimate_credits
from app.catalog.models import ENDPOINT_MODELS, SEED_MAX, random_seed
from app.catalog.validation import Invalid, validate_create_body
from app.core.settings import Settings
from app.core.timestamps import DAY_S, day_number, day_of, resets_at
from app.core.transcript import shorten_data_uris, shorten_data_uris_in_text
from app.main import create_app
from app.web.deps import services
from app.web.static_urls import bundle
from tests.conftest import started
from tests.helpers import ROOT

APP = ROOT / "app"


def console_sources() -> dict[str, str]:
    """The console's modules (the simulator is an independent oracle with rules of its own)."""
    return {
        str(path.relative_to(APP)): path.read_text("utf-8")
        for path in APP.rglob("*.py")
        if path.relative_to(APP).parts[0] != "simulator"
    }


def where(pattern: str) -> set[str]:
    return {name for name, text in console_sources().items() if re.search(pattern, text)}


def test_one_module_chooses_a_default_seed() -> None:
    assert where(r"randbelow|randint|getrandbits|random\.random\(\)\s*\*\s*SEED") == {
        "catalog/models.py"
    }
    assert where(r"SEED_MAX\s*\+\s*1") == {"catalog/models.py"}


def test_the_default_seed_is_one_validation_accepts() -> None:
    seeds = {random_seed() for _ in range(200)}
    assert len(seeds) > 190 and all(0 <= seed <= SEED_MAX for seed in seeds)
    for seed in (min(seeds), max(seeds), 0, SEED_MAX):
        body = {"model": "gen4_turbo", "promptImage": "https://example.com/a.png", "seed": seed}
        try:
            validate_create_body(body)
        except Invalid as refused:
            assert "seed" not in {error.field for error in refused.errors}


def test_one_module_says_which_utc_day_it_is() -> None:
    assert where(r'strftime\("%Y-%m-%d"\)|time\(\)\s*//|timestamp\s*//|now\s*//') == {
        "core/timestamps.py"
    }


def test_the_day_number_the_day_name_and_the_reset_agree_around_midnight() -> None:
    midnight = datetime(2026, 12, 7, tzinfo=UTC).timestamp()
    for t in (midnight - 0.001, midnight, midnight + DAY_S - 0.5, 0.0, 4_102_444_799.9):
        named = datetime.fromtimestamp(t, UTC)
        assert day_of(t) == named.strftime("%Y-%m-%d")
        assert day_number(t) == (named.date() - datetime(1970, 1, 1).date()).days
        assert resets_at(t).timestamp() == (day_number(t) + 1) * DAY_S > t


def test_one_module_prices_a_task_from_the_catalog() -> None:
    assert where(r"\.credits\(") == {"catalog/credits.py"}


def test_the_cheapest_task_is_the_least_estimate_of_any_duration() -> None:
    first_known: dict[str, str] = {}
    for endpoint, models in ENDPOINT_MODELS.items():
        for name in models:
            first_known.setdefault(name, endpoint)
    for name, endpoint in first_known.items():
        model = ENDPOINT_MODELS[endpoint][name]
        bodies = [{"model": name, "duration": d} for d in model.durations] or [{"model": name}]
        assert cheapest_task(name) == min(estimate_credits(b, endpoint) for b in bodies), name
    assert cheapest_task("no_such_model") is None


async def test_create_app_builds_the_one_frame_owners_every_part_uses(settings: Settings) -> None:
    assert where(r"FrameOwners\(") == {"main.py"}, "services take create_app's, never their own"
    async with started(settings) as app:
        shared = services(app).frame_owners
        assert services(app).running.demo.owners is shared
        assert services(app).running.tasks._owners is shared


def test_the_code_view_and_the_inspector_name_one_image_one_size() -> None:
    for characters in (96, 2048, 2730, 3413, 4096 * 4 // 3, 3 * 2**20):
        uri = "data:image/png;base64," + "A" * characters
        shown = shorten_data_uris_in_text(f'{{"promptImage": "{uri}"}}')
        size = shorten_data_uris(uri).rsplit("…", 1)[1]
        assert shown.endswith(f'{size}"}}'), (characters, shown[-40:], size)
    script = bundle().decode("utf-8")
    assert not re.search(r"\bKB\b|\bMB\b|1048576|/ ?1024", script), "sizes are named by the server"


def test_create_app_alone_builds_the_task_services_parts() -> None:
    """TaskService is no second composition root: its parts, and the services that were once
    its methods (relay check, upload slots, account, hooks), are built in create_app."""
    for part in ("Refresher", "Submission", "HookStore", "HookReceiver", "TaskService"):
        assert where(rf"\b{part}\(") == {"main.py"}, part
    for part in ("RelayCheck", "UploadSlots", "UpstreamAccounts"):
        assert where(rf"\b{part}\(") == {"main.py"}, part
    service = (APP / "tasks" / "service.py").read_text("utf-8")
    assert not re.search(r"self\.(storage|hooks|receiver)\b", service), "no public parts"
    assert not re.search(r"def (check_relay|upload_slot|account|hook)\(", service)


def _state_reads(source: str) -> int:
    """`app.state` or `<anything>.app.state` in a module's syntax tree (the app's attribute
    bag); another app's state (the simulator's, `simulator.state`) is its own business."""
    reads = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            holder = node.value
            name = holder.attr if isinstance(holder, ast.Attribute) else getattr(holder, "id", "")
            reads += name == "app"
    return reads


def test_only_the_composition_root_and_deps_touch_the_app_state() -> None:
    """Services are built in create_app into one typed container (app/web/container.py) and
    reach routes and middleware only through app/web/deps.py, never as an untyped bag."""
    touching = {name for name, text in console_sources().items() if _state_reads(text)}
    assert touching == {"web/deps.py"}
    templates = [
        p.name for p in (ROOT / "templates").rglob("*.html") if "app.state" in p.read_text()
    ]
    assert templates == [], "templates get the settings as a global (app/web/render.py)"


def _console_state_reads(source: str) -> list[int]:
    """Lines reading a console app's attribute bag: `<x>.state.<name>`, or `app.state` passed
    on whole. The simulator's own app keeps its `SimState` at `.state.sim`, its business."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "state"):
            continue
        above = parents.get(node)
        named = isinstance(above, ast.Attribute) and above.value is node
        holder = node.value
        app_named = (holder.attr if isinstance(holder, ast.Attribute) else "") == "app" or (
            getattr(holder, "id", "") == "app"
        )
        if (named and above.attr != "sim") or (not named and app_named):
            lines.append(node.lineno)
    return lines


def test_tests_reach_the_consoles_services_through_the_container_too() -> None:
    """A test reading `app.state.<service>` outlives the container it bypasses (issue 29 left
    one reading `app.state.demo`, an AttributeError only when that test ran): tests use
    `services(app)` like routes do, so a moved service fails where it is named."""
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in (ROOT / "tests").rglob("*.py")
        for line in _console_state_reads(path.read_text("utf-8"))
    }
    assert found == set()


def test_the_database_runs_no_domains_statements() -> None:
    """app/storage/database.py is the engine and its transactions; the statements are each
    domain's (tasks in storage/task_store.py), and the frames' release on a task's delete is
    the frames domain's (FrameOwners.release), so storage imports nothing above it."""
    database = (APP / "storage" / "database.py").read_text("utf-8")
    assert not re.search(r"_table\b|app\.frames|TaskRecord", database)


async def test_the_lifespans_services_say_so_when_asked_for_outside_it(settings: Settings) -> None:
    """The task services hold the upstream client and background work of the serving loop:
    typed in the container, and a plain error outside the lifespan, never a missing attribute."""
    app = create_app(settings)
    with pytest.raises(RuntimeError, match="lifespan"):
        services(app).running  # noqa: B018
    async with app.router.lifespan_context(app):
        assert services(app).running.tasks is not None
    with pytest.raises(RuntimeError, match="lifespan"):
        services(app).running  # noqa: B018
