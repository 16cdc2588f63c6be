"""A file the browser saves instead of showing: how every domain's views answer a download.

The name is always quoted (RFC 6266), so one with spaces or commas survives. Personal data adds
`no_store`, so neither the browser nor a proxy keeps a copy (a kept file of secrets, like printed
codes or addresses, always has it); the headers every response carries
(nosniff among them) come from pbapp.security.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file


def attachment(content: str | bytes, mimetype: str, filename: str, *, no_store: bool = False) -> Response:
    """A download of `content` saved as `filename`."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return Response(content, mimetype=mimetype, headers=headers)


def uploaded_file(data: bytes, mimetype: str, filename: str, *, inline: bool = False, cache_control: str) -> Response:
    """A file someone uploaded, served as stored and sandboxed, so a viewer inside our origin cannot run script.

    Only pictures show `inline`; a PDF is always a download.
    """
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache_control
    return response


def kept_file(path: Path, mimetype: str, filename: str) -> Response:
    """A file the app keeps on disk holding secrets (codes, addresses): never cached, never served partly."""
    response = send_file(
        path, mimetype=mimetype, as_attachment=True, download_name=filename, conditional=False, etag=False
    )
    response.headers["Cache-Control"] = "no-store"
    return response
