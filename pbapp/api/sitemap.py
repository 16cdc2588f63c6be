"""robots.txt and sitemap.xml, listing the public pages from the database."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from pbapp.api import permissions, site
from pbapp.councils import services as councils
from pbapp.db import get_session
from pbapp.juries import services as juries
from pbapp.ledger import services as ledger
from pbapp.pb import services as pb
from pbapp.security import requires


def public_urls(session) -> list[str]:
    """Every public page worth indexing: councils, processes, published results, juries, budget, register."""
    urls = [url_for("councils.index", _external=True), url_for("api.docs", _external=True)]
    for council in councils.list_councils(session):
        slug = council.slug
        urls += [
            url_for("councils.home", council=slug, _external=True),
            url_for("pb.index", council=slug, _external=True),
        ]
        for process in pb.list_processes(session, council):
            urls.append(url_for("pb.process", council=slug, process_id=process.id, _external=True))
            urls += [
                url_for("pb.results", council=slug, ballot_id=ballot.id, _external=True)
                for ballot in pb.ballots_of(session, process)
                if ballot.results_published_at is not None
            ]
        for jury in juries.public_juries(session, council):
            urls += [
                url_for("juries.about", council=slug, jury_id=jury.id, _external=True),
                url_for("deliberation.public_jury", council=slug, jury_id=jury.id, _external=True),
            ]
        urls.append(url_for("ledger.glance", council=slug, _external=True))
        urls += [
            url_for("ledger.book", council=slug, book_id=book.id, _external=True)
            for book in ledger.books_of(session, council.id)
        ]
        urls += [
            url_for("ledger.register", council=slug, _external=True),
            url_for("ledger.open_data", council=slug, _external=True),
        ]
    return urls


@site.route("/robots.txt")
@requires(permissions.ANYONE)
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Allow: /",
        "",
        "Sitemap: " + url_for("site.sitemap", _external=True),
        "",
    ]
    return current_app.response_class("\n".join(lines), mimetype="text/plain")


@site.route("/sitemap.xml")
@requires(permissions.ANYONE)
def sitemap():
    body = render_template("api/sitemap.xml", urls=public_urls(get_session()))
    return current_app.response_class(body, mimetype="application/xml")
