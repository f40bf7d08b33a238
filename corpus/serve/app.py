"""The workbench's Starlette application and how it is served.

Safety, for a server that holds a user's corpus and writes into it:
- it listens on 127.0.0.1 unless told otherwise, and answers only requests addressed to
  the host it serves (a DNS-rebinding page cannot reach it under another name);
- every write is a POST carrying the per-process CSRF token, and a cross-site Origin is
  refused even with it;
- no path from a request is ever joined to a folder, except under ``DIR/report``, and then
  only a regular file that resolves inside it; article ids are looked up in the build's list;
- pages carry a Content-Security-Policy that allows no script at all (the report, served
  as it is, keeps its own policy).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corpus.errors import BusyError, CorpusError, MissingDependencyError, SearchError
from corpus.serve import articles, pages
from corpus.stats import DEFAULT_LOW_SCORE

log = logging.getLogger(__name__)

_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'")
_STATIC = {"report.css": ("corpus.report", "text/css"),
           "workbench.css": ("corpus.serve", "text/css")}
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
          ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json"}


def _starlette() -> Any:
    try:
        import starlette  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError("starlette", "serve", "corpus serve") from err


def create_app(outdir: Path, *, token: str | None = None, low_score: float = DEFAULT_LOW_SCORE,
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> Any:
    """The ASGI application over the built corpus in ``outdir``."""
    _starlette()
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
    from starlette.routing import Route

    outdir = Path(outdir)
    csrf = token or secrets.token_urlsafe(32)
    report_root = (outdir / "report").resolve()
    known: set[str] = set(articles.article_ids(outdir))

    def html(text: str, status: int = 200) -> Response:
        return HTMLResponse(text, status, headers={
            "Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cache-Control": "no-store"})

    def article_id(request: Request) -> str:
        aid = request.path_params["aid"]
        if aid not in known:
            known.update(articles.article_ids(outdir))  # built since the server started
        if aid not in known:
            raise _NotFound(f"no built article {aid!r}")
        return str(aid)

    def check_write(request: Request, form: Any) -> None:
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            raise _Forbidden("a write from another site is refused")
        sent = form.get("csrf", "")
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise _Forbidden("the form's CSRF token is missing or wrong: reload the page")

    async def home(request: Request) -> Response:
        rows = _article_rows(outdir, sorted(known | set(articles.article_ids(outdir))))
        return html(pages.home_page(rows))

    async def search(request: Request) -> Response:
        from corpus.index import connect
        from corpus.search import renderings
        from corpus.search import search as run_search

        params = {k: v for k, v in request.query_params.items() if v}
        if not params.get("q"):
            return html(pages.search_page(params, None))
        try:
            query = _query(params)
            con = connect(outdir)
            try:
                result = run_search(con, query)
                table = renderings(con, result) if params.get("renderings") else None
            finally:
                con.close()
        except (CorpusError, ValueError) as err:
            return html(pages.search_page(params, None, error=str(err)), 400)
        return html(pages.search_page(params, result, table=table))

    def report_href(aid: str) -> str | None:
        from corpus.report.page import safe_name

        # the report names its pages with safe_name in id order; only link a page that exists
        name = safe_name(aid, {"index"}) + ".html"
        return f"/report/articles/{name}" if (report_root / "articles" / name).is_file() \
            else None

    async def article(request: Request) -> Response:
        aid = article_id(request)
        view = articles.load(outdir, aid)
        return html(pages.article_page(view, csrf, low_score=low_score,
                                       report_href=report_href(aid)))

    def refused(aid: str, err: CorpusError) -> Response:
        """The article again, saying why a change was not saved: 423 while a build holds the
        folder (nothing was written; try again later), 409 for an edit that does not fit."""
        view = articles.load(outdir, aid)
        busy = isinstance(err, BusyError)
        message = f"not saved: {err}" if busy else str(err)
        return html(pages.article_page(view, csrf, low_score=low_score, error=message),
                    423 if busy else 409)

    async def edit(request: Request) -> Response:
        aid = article_id(request)
        form = await request.form()
        check_write(request, form)
        op = form.get("op", "")
        try:
            view = articles.edit(outdir, aid, str(op))
        except CorpusError as err:
            return refused(aid, err)
        anchor = _anchor(str(op), view)
        return RedirectResponse(pages.article_href(aid, anchor), status_code=303)

    async def undo(request: Request) -> Response:
        aid = article_id(request)
        form = await request.form()
        check_write(request, form)
        try:
            articles.undo(outdir, aid)
        except CorpusError as err:
            return refused(aid, err)
        return RedirectResponse(pages.article_href(aid), status_code=303)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            raise _NotFound("no such file")
        package, ctype = _STATIC[name]
        sub = "static"
        text = resources.files(package).joinpath(sub, name).read_text("utf-8")
        return Response(text, media_type=ctype, headers={"X-Content-Type-Options": "nosniff"})

    async def report(request: Request) -> Response:
        target = (report_root / request.path_params["path"]).resolve()
        if not target.is_relative_to(report_root) or not target.is_file():
            raise _NotFound("no such report file")
        ctype = _TYPES.get(target.suffix.lower(), "application/octet-stream")
        # streamed from the file: a corpus-wide report page is not read whole per request
        return FileResponse(target, media_type=ctype,
                            headers={"X-Content-Type-Options": "nosniff",
                                     "Content-Security-Policy": "frame-ancestors 'none'"})

    async def errors(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, _NotFound) else 403
        title = "Not found" if status == 404 else "Refused"
        return html(pages.message_page(title, str(exc)), status)

    routes = [
        Route("/", home), Route("/search", search),
        Route("/article/{aid}", article), Route("/article/{aid}/edit", edit, methods=["POST"]),
        Route("/article/{aid}/undo", undo, methods=["POST"]),
        Route("/static/{name}", static), Route("/report/{path:path}", report),
    ]
    app = Starlette(routes=routes, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))],
        exception_handlers={_NotFound: errors, _Forbidden: errors})
    app.state.csrf = csrf
    return app


class _NotFound(CorpusError):
    pass


class _Forbidden(CorpusError):
    pass


def _anchor(op: str, view: articles.ArticleView) -> int | None:
    """The bead to scroll to after an edit: the one the edit touched."""
    parts = op.split(":")
    if parts[0] in ("merge", "split") and len(parts) > 1 and parts[1].isdigit():
        return min(int(parts[1]), max(len(view.doc.alignment.beads) - 1, 0))
    if len(parts) >= 3 and parts[2].isdigit():
        side, i = parts[1], int(parts[2])
        for k, b in enumerate(view.doc.alignment.beads):
            if i in (b.zh if side == "zh" else b.en):
                return k
    return None


def _query(params: dict[str, str]) -> Any:
    from corpus.search import Query

    def num(key: str) -> float | None:
        return float(params[key]) if params.get(key) else None

    def day(key: str) -> date | None:
        try:
            return date.fromisoformat(params[key]) if params.get(key) else None
        except ValueError as err:
            raise SearchError(f"{key}: {params[key]!r} is not a date like 2024-06-21") from err

    try:
        return Query(params["q"], lang=params.get("lang", "auto"),
                     regex=bool(params.get("regex")), whole_words=not params.get("substring"),
                     articles=tuple(params["article"].split()) if params.get("article") else (),
                     since=day("since"), until=day("until"),
                     types=tuple(params["type"].split()) if params.get("type") else (),
                     min_confidence=num("min_conf"), max_confidence=num("max_conf"))
    except ValueError as err:
        if isinstance(err, CorpusError):
            raise
        raise SearchError(f"a confidence must be a number: {err}") from err


def _article_rows(outdir: Path, ids: list[str]) -> list[dict[str, Any]]:
    """Title, date and bead count from the index when there is one; the state of each
    article's corrections from its file."""
    from corpus import corrections
    from corpus.index import article_rows, connect

    info: dict[str, dict[str, Any]] = {}
    try:
        con = connect(outdir)
        try:
            info = {r["article_id"]: dict(r) for r in article_rows(con)}
        finally:
            con.close()
    except SearchError as err:
        log.info("no index for the article list: %s", err)
    rows = []
    for aid in ids:
        row = {"article_id": aid, **info.get(aid, {})}
        if corrections.existing(outdir, aid) is not None:
            row["state"] = articles.load(outdir, aid).state.state
        rows.append(row)
    return rows


def serve(outdir: Path, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the workbench with uvicorn until interrupted."""
    try:
        import uvicorn
    except ImportError as err:
        raise MissingDependencyError("uvicorn", "serve", "corpus serve") from err
    hosts = tuple(dict.fromkeys(("127.0.0.1", "localhost", "::1", host)))
    app = create_app(outdir, hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
