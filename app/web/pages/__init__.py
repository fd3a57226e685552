"""The page and its htmx fragments, one module per resource.

Each fragment is a partial in templates/console/ that the page also includes.
"""

from fastapi import APIRouter

from app.web.pages import form, frame_text, history, media, tasks, tools

router = APIRouter(include_in_schema=False)
for part in (tasks, form, media, frame_text, tools, history):
    router.include_router(part.router)
