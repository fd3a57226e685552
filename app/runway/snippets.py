"""Copy as code: the exact create and read calls as curl, Python (httpx, the official SDK) and
JavaScript, so a person can replay what the console did outside it.

The key is never written in: it is `$RUNWAYML_API_SECRET` (the official SDK's variable) or the
mask. The body is the one the console sent, data URIs and all, so the curl runs as it is.
"""

import json
import pprint
import re
import shlex
from dataclasses import dataclass
from typing import Any

from app.catalog.models import SCHEMA_ENDPOINTS, SCHEMAS, SDK, model_key, selector
from app.runway.endpoints import Upstream

ENV_VAR = "RUNWAYML_API_SECRET"
# The models the official SDK knows, per endpoint (relay-only ones it refuses to type).
SDK_FIELDS: dict[str, dict[str, dict[str, bool]]] = {
    endpoint: {name: entry["fields"] for name, entry in models.items()}
    for endpoint, models in SDK["endpoints"].items()
} | {  # the schema-driven endpoints: each field its schema declares, and whether it is required
    endpoint: {
        name: {f: f in schema.get("required", []) for f in schema["properties"] if f != "model"}
        for name, schema in SCHEMAS[endpoint].items()
    }
    for endpoint in SCHEMA_ENDPOINTS
}
SDK_MODELS = tuple(SDK_FIELDS["image_to_video"])
LANGUAGES = ("curl", "python", "sdk", "js")


def sdk_knows(endpoint: str, model: str) -> bool:
    """Whether the official SDK types this model at this endpoint (its snippet is offered);
    a recipe, which names no model but a version, it types whatever the version."""
    if endpoint in SCHEMA_ENDPOINTS and selector(endpoint) != "model":
        return True
    return model in SDK_FIELDS.get(endpoint, {})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Call:
    """One call to reproduce: where, which headers (key left out), which body."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None


def calls_for(
    upstream: Upstream,
    api_root: str,
    body: dict[str, Any],
    task_id: str,
    endpoint: str = "image_to_video",
) -> list[Call]:
    """The create and the read, against `api_root` (the simulator's is the console's mount)."""
    headers = {**upstream.headers, "Content-Type": "application/json"}
    read_headers = dict(upstream.headers)
    return [
        Call("POST", f"{api_root}/{endpoint}", headers, body),
        Call("GET", f"{api_root}/tasks/{task_id}", read_headers, None),
    ]


def _key(mode: str, mask: str) -> tuple[str, str]:
    """(shell text, Python expression) for the key."""
    if mode == "masked":
        return mask or "YOUR_KEY", json.dumps(mask or "YOUR_KEY", ensure_ascii=False)
    return f"${ENV_VAR}", f'os.environ["{ENV_VAR}"]'


def curl(call: Call, key_mode: str = "env", mask: str = "") -> str:
    shell_key, _ = _key(key_mode, mask)
    auth = f'"Authorization: Bearer {shell_key}"'
    lines = [f"curl -sS -w '\\n' -X {call.method} {shlex.quote(call.url)}", f"  -H {auth}"]
    lines += [f"  -H {shlex.quote(f'{k}: {v}')}" for k, v in call.headers.items()]
    if call.body is not None:
        lines.append(f"  --data-binary {shlex.quote(json.dumps(call.body))}")
    return " \\\n".join(lines) + "\n"


def python_httpx(call: Call, key_mode: str = "env", mask: str = "") -> str:
    key_expr = _key(key_mode, mask)[1]
    headers = {"Authorization": "Bearer " + "{KEY}", **call.headers}
    header_text = json.dumps(headers, indent=4).replace('"Bearer {KEY}"', 'f"Bearer {KEY}"')
    lines = ["import os", "", "import httpx", "", f"KEY = {key_expr}", f"headers = {header_text}"]
    if call.body is not None:
        lines.append(f"body = {pprint.pformat(call.body, indent=4, width=96, sort_dicts=False)}")
        lines.append(f"response = httpx.post({call.url!r}, headers=headers, json=body, timeout=60)")
    else:
        lines.append(f"response = httpx.get({call.url!r}, headers=headers, timeout=60)")
    lines += ["response.raise_for_status()", "print(response.json())"]
    return "\n".join(lines) + "\n"


def js_fetch(call: Call, key_mode: str = "env", mask: str = "") -> str:
    """A block of its own, so the create and the read can sit in one module."""
    if key_mode == "masked":
        key_expr = json.dumps(mask or "YOUR_KEY", ensure_ascii=False)
    else:
        key_expr = f"process.env.{ENV_VAR}"
    header_lines = [f"    Authorization: `Bearer ${{{key_expr}}}`,"]
    header_lines += [f"    {json.dumps(k)}: {json.dumps(v)}," for k, v in call.headers.items()]
    body = f"\n  body: JSON.stringify({json.dumps(call.body)})," if call.body is not None else ""
    return (
        "{\n"
        f"const response = await fetch({json.dumps(call.url)}, {{\n"
        f'  method: "{call.method}",\n  headers: {{\n'
        + "\n".join(header_lines)
        + f"\n  }},{body}\n}});\n"
        "if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);\n"
        "console.log(await response.json());\n"
        "}\n"
    )


def python_sdk(
    api_root: str,
    body: dict[str, Any],
    task_id: str,
    key_mode: str = "env",
    mask: str = "",
    endpoint: str = "image_to_video",
) -> str | None:
    """The official `runwayml` SDK, for the models it knows; None for the others. Each body
    field the SDK declares for the model becomes its snake_case argument; the relay-only
    ones (`watermark`, `notify_hook`) are left out, as the SDK would refuse them."""
    model = model_key(endpoint, body)
    if not sdk_knows(endpoint, model) or model not in SDK_FIELDS.get(endpoint, {}):
        return None
    key_expr = (
        json.dumps(mask or "YOUR_KEY") if key_mode == "masked" else f'os.environ["{ENV_VAR}"]'
    )
    fields = SDK_FIELDS[endpoint][model]
    # A recipe is a method of `client.recipes` named after it, with no model argument.
    method = endpoint.replace("/", ".") if "/" in endpoint else f"{endpoint}.create"
    arguments = {"model": model} if "model" in body else {}
    arguments |= {
        _snake(name): value
        for name, value in body.items()
        if name in fields and value not in (None, "")
    }
    args = "".join(f"    {name}={value!r},\n" for name, value in arguments.items())
    base = api_root.removesuffix("/v1")
    return (
        "import os\n\nfrom runwayml import RunwayML\n\n"
        f"client = RunwayML(api_key={key_expr}, base_url={base!r})\n"
        f"task = client.{method}(\n{args})\n"
        "print(task.id)\n"
        f"print(client.tasks.retrieve({task_id!r}))  # the task the console ran\n"
        "print(task.wait_for_task_output())  # polls until it is done\n"
    )


def snippet(
    language: str,
    upstream: Upstream,
    api_root: str,
    body: dict[str, Any],
    task_id: str,
    key_mode: str = "env",
    mask: str = "",
    endpoint: str = "image_to_video",
) -> str | None:
    create, read = calls_for(upstream, api_root, body, task_id, endpoint)
    if language == "sdk":
        return python_sdk(api_root, body, task_id, key_mode, mask, endpoint)
    render = {"curl": curl, "python": python_httpx, "js": js_fetch}[language]
    comment = "#" if language in ("curl", "python") else "//"
    return (
        f"{comment} Create the task\n{render(create, key_mode, mask)}\n"
        f"{comment} Read it (poll every 5 s or more until SUCCEEDED / FAILED)\n"
        f"{render(read, key_mode, mask)}"
    )
