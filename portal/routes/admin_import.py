"""Console page "Import orders (CSV)": upload a file, check it (dry run) or import it."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response
from starlette.types import Scope

from portal.i18n import gettext
from portal.ingest import csv_import
from portal.routes.admin import read_form, require_merchant
from portal.routes.upload_limit import UploadLimit, declared_length
from portal.web import portal_of
from portal.pages import render

# Room for the multipart envelope and the other form fields around the file.
FORM_OVERHEAD = 64 * 1024
_CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream", ""}


def _cap(scope: Scope) -> int:
    return scope["app"].state.portal.settings.import_max_bytes + FORM_OVERHEAD


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


class UploadRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _too_big(cap: int) -> UploadRefused:
    return UploadRefused(gettext("The file is larger than %(size)s. Split it into smaller files and import "
                                 "them one by one.") % {"size": _megabytes(cap)}, 413)


async def _read_upload(upload: Any, cap: int) -> tuple[str, bytes]:
    """(file name, content) of a CSV upload within the cap, else UploadRefused saying why."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused(gettext("Choose a CSV file to upload."), 400)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if not upload.filename.lower().endswith((".csv", ".txt")) or content_type not in _CSV_TYPES:
        raise UploadRefused(gettext("%(file)s is not a CSV file. Export your orders as CSV (UTF-8) and "
                                    "upload that.") % {"file": repr(upload.filename)}, 415)
    raw = await upload.read(cap + 1)
    if len(raw) > cap:
        raise _too_big(cap)
    return upload.filename, raw


async def import_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    cap = portal_of(request).settings.import_max_bytes
    context: dict[str, Any] = {"columns": csv_import.column_table(), "max_size": _megabytes(cap), "dry_run": True}
    if request.method == "GET":
        return render(request, "admin/import.html", context)
    try:
        declared = declared_length(request.scope)
        if declared is not None and declared > cap + FORM_OVERHEAD:
            raise _too_big(cap)  # refused unread
        try:
            form = await read_form(request)
        except HTTPException as exc:
            if exc.status_code == 413:  # a body without a declared length ran past the limit
                raise _too_big(cap) from None
            raise
        try:
            context["dry_run"] = form.get("dry_run") == "1"
            filename, raw = await _read_upload(form.get("file"), cap)
        finally:
            await form.close()  # the upload was spooled to a temporary file
        try:
            report = await run_in_threadpool(csv_import.run, portal_of(request).engine, merchant, raw,
                                             context["dry_run"])
        except csv_import.ImportFileError as exc:
            raise UploadRefused(str(exc), 415 if exc.unreadable else 400) from None
    except UploadRefused as refused:
        return render(request, "admin/import.html", {**context, "error": str(refused)}, status_code=refused.status)
    return render(request, "admin/import.html", {**context, "report": report, "filename": filename},
                  status_code=422 if report.errors else 200)


routes = [
    Route("/admin/import", UploadLimit(request_response(import_page), _cap), methods=["GET", "POST"], name="admin_import"),
]
