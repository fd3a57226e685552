"""The floor under the console: a bare FastAPI app doing only what a pass-through must.

Usage: `python -m uvicorn bench.bare_passthrough:app --port N --loop uvloop --http httptools`
(bench/proxy_overhead.py starts it beside the console). `POST /api/tasks` sends the body, less
`baseUrl`, to `{baseUrl}/v1/image_to_video` through httpx on the console's own aiohttp
transport, keeps the answer in memory and answers 201 with it; `GET /api/tasks/{id}` answers
from memory. No checks, no database, no middleware: what FastAPI, uvicorn and httpx cost here,
so the console's figures can be read as framework plus its own work.
"""

import ssl
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from app.runway.pools import engine_transport

app = FastAPI()
# The console's own engine, idle connections dropped after 4 s as there: the simulator's
# uvicorn closes them at 5 s, and aiohttp's default 15 s reused closed ones under load.
client = httpx.AsyncClient(transport=engine_transport(ssl.create_default_context(), 4.0))
tasks: dict[str, dict[str, Any]] = {}


@app.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/api/tasks")
async def create(request: Request) -> JSONResponse:
    body = await request.json()
    base = body.pop("baseUrl")
    answer = await client.post(
        f"{base}/v1/image_to_video",
        json=body,
        headers={
            "Authorization": f"Bearer {request.headers.get('x-runway-key', '')}",
            "X-Runway-Version": "2024-11-06",
        },
    )
    task = answer.json()
    if not answer.is_success:  # the upstream's refusal, as it came (the bench then says so)
        return JSONResponse(task, status_code=answer.status_code)
    tasks[task["id"]] = task
    return JSONResponse(task, status_code=201)


@app.get("/api/tasks/{task_id}")
async def read(task_id: str) -> JSONResponse:
    if task_id not in tasks:
        raise HTTPException(404)
    return JSONResponse(tasks[task_id])
