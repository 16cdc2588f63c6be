"""Use cases for accounts; each takes the session, commits once and raises DomainError."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from pbapp.bilingual_mail import compose, council_of_account
from pbapp.core import postcodes
from pbapp.core.tokens import new_token, token_hash
from pbapp import audit, mail
from pbapp.accounts.models import ADMIN, OFFICER, ROLES, Invitation, Membership, PasswordReset, User, new_session_token
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.security import check_nobodys_password, check_password, hash_password
from pbapp.timeutil import utcnow
from pbapp.links import external_url


def normalise_email(email: str) -> str:
    return email.strip().lower()


def councils_of(user_id: int) -> list[Council]:
    """Councils where the user holds any role, by name."""
    from pbapp.db import get_session

    query = (
        select(Council)
        .join(Membership, Membership.council_id == Council.id)
        .where(Membership.user_id == user_id)
        .distinct()
        .order_by(Council.name)
    )
    return list(get_session().exec(query).all())


def memberships_of(session: Session, user_id: int) -> list[tuple[Council, str]]:
    query = (
        select(Council, Membership.role)
        .join(Membership, Membership.council_id == Council.id)
        .where(Membership.user_id == user_id)
        .order_by(Council.name, Membership.role)
    )
    return [(c, r) for c, r in session.exec(query).all()]


def register(
    session: Session, *, name: str, email: str, password: str, postcode: str = "", next_path: str = ""
) -> User | None:
    """Create a resident account and email a confirmation link (leading on to `next_path`); None if the email has one.

    The caller answers the same either way, so registration never tells anyone whether an address
    has an account: its owner gets an email saying someone tried to register with it.
    """
    email = normalise_email(email)
    password_hash = hash_password(password)  # hashed either way, so the reply takes as long
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is None:
        user = User(
            name=name.strip(),
            email=email,
            password_hash=password_hash,
            postcode=postcodes.spaced(postcode) if postcode else "",
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            existing = session.exec(select(User).where(User.email == email)).one()
    if existing is not None:
        link = external_url("accounts.request_reset")
        mail.send(
            session,
            existing.email,
            *compose(
                council_of_account(session, existing),
                lambda: (
                    _("Someone tried to create an account with your email address"),
                    _(
                        "Someone tried to create an account on this site with your email address, which already has one. If it was you, sign in, or choose a new password here:\n\n%(link)s\n\nIf it was not you, you can ignore this email: nothing has changed.",
                        link=link,
                    ),
                ),
            ),
        )
        audit.record(session, "account.registration_repeated", "user", existing.id)
        session.commit()
        return None
    from pbapp.accounts import residence

    residence.send_confirmation(session, user, next_path)
    audit.record(session, "account.registered", "user", user.id, actor_id=user.id)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the user whose email and password match, or raise Invalid with one vague message."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        # Verifying against a real hash when the email is unknown keeps sign-in time the same either way.
        check_nobodys_password(password)
    elif user.active and check_password(user.password_hash, password):
        return user
    raise Invalid(_("Enter a correct email address and password"))


def sign_out(session: Session, user: User) -> None:
    """End every session of the account: a copied session cookie stops working too."""
    user.session_token = new_session_token()
    session.commit()


def request_password_reset(session: Session, email: str) -> None:
    """Email a single-use reset link if the account exists; say nothing either way."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    link = _password_link(session, user, timedelta(minutes=minutes))
    mail.send(
        session,
        user.email,
        *compose(
            council_of_account(session, user),
            lambda: (
                _("Reset your password"),
                _(
                    "Use this link to choose a new password. It works once and expires in %(minutes)d minutes.\n\n%(link)s\n\nIf you did not ask for this, you can ignore this email.",
                    minutes=minutes,
                    link=link,
                ),
            ),
        ),
        secret=link,
    )
    audit.record(session, "account.reset_requested", "user", user.id, actor_id=user.id)
    session.commit()


def _password_link(session: Session, user: User, lifetime: timedelta) -> str:
    """Add a single-use password link for `user` (only its hash is kept) and return its URL."""
    token, digest = new_token()
    session.add(PasswordReset(user_id=user.id, token_hash=digest, expires_at=utcnow() + lifetime))
    return external_url("accounts.reset_password", token=token)


def create_admin(session: Session, council: Council, *, email: str, name: str) -> tuple[User, str]:
    """Make `email` an admin of `council` (a new account if needed); mail and return a set-password link.

    No password is ever given on a command line: the link lets the admin choose one, once, within
    SETUP_LINK_HOURS.
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise Invalid(_("Enter an email address like name@example.com"), field="email")
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        if not name.strip():
            raise Invalid(_("Enter the admin’s name"), field="name")
        # A random password nobody knows: the account opens only through the emailed link.
        user = User(email=email, name=name.strip()[:200], password_hash=hash_password(secrets.token_urlsafe(32)))
        session.add(user)
        session.flush()
    if not session.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id, Membership.role == ADMIN
        )
    ).first():
        session.add(Membership(user_id=user.id, council_id=council.id, role=ADMIN))
    hours = current_app.config["SETUP_LINK_HOURS"]
    link = _password_link(session, user, timedelta(hours=hours))
    mail.send(
        session,
        user.email,
        *compose(
            council,
            lambda: (
                _("You are an administrator of %(council)s", council=council.name),
                _(
                    "You can now run %(council)s on pbapp. Use this link to choose your password. It works once and expires in %(hours)d hours.\n\n%(link)s",
                    council=council.name,
                    hours=hours,
                    link=link,
                ),
            ),
        ),
    )
    audit.record(session, "membership.admin_created", "user", user.id, council_id=council.id, role=ADMIN)
    session.commit()
    return user, link


def remove_role(session: Session, council: Council, membership_id: int, *, actor: User) -> Membership:
    """Take one role away from a member; a council always keeps at least one admin."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.council_id != council.id:
        raise NotFound(_("This person no longer has that role."))
    if membership.role == ADMIN:
        admins = session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.council_id == council.id, Membership.role == ADMIN)
        ).one()
        if admins <= 1:
            raise Conflict(_("A council needs at least one admin. Make someone else an admin first."))
    session.delete(membership)
    audit.record(
        session,
        "membership.removed",
        "membership",
        membership.id,
        council_id=council.id,
        actor_id=actor.id,
        user_id=membership.user_id,
        role=membership.role,
    )
    session.commit()
    return membership


def _valid_reset(session: Session, token: str) -> PasswordReset:
    reset = session.exec(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise NotFound(_("This link has expired or has already been used. Ask for a new one."))
    return reset


def check_reset_token(session: Session, token: str) -> None:
    _valid_reset(session, token)


def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password with a valid token, use the token up and end every other session."""
    reset = _valid_reset(session, token)
    user = session.get(User, reset.user_id)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    reset.used_at = utcnow()
    audit.record(session, "account.password_reset", "user", user.id, actor_id=user.id)
    session.commit()
    return user


def update_details(session: Session, user: User, *, name: str, postcode: str, language: str) -> User:
    """Change a person's name, postcode and preferred language."""
    if language not in ("", *current_app.config["LANGUAGES"]):
        raise Invalid(_("Choose one of the languages listed, or the language your browser asks for"), field="language")
    user.name = name.strip()
    user.postcode = postcodes.spaced(postcode) if postcode.strip() else ""
    user.language = language
    session.add(user)
    audit.record(session, "account.details_changed", "user", user.id, actor_id=user.id)
    session.commit()
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> User:
    """Set a new password once the current one is given; every other session ends."""
    if not check_password(user.password_hash, current):
        raise Invalid(_("Your current password is not correct"), field="current")
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    session.add(user)
    audit.record(session, "account.password_changed", "user", user.id, actor_id=user.id)
    session.commit()
    return user


def invite(session: Session, council: Council, *, email: str, role: str, invited_by: User) -> Invitation:
    """Email an invitation link to join `council` in `role`, valid for INVITATION_DAYS."""
    if role not in ROLES:
        raise Invalid(_("Choose a role"), field="role")
    token, digest = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        council_id=council.id,
        email=normalise_email(email),
        role=role,
        token_hash=digest,
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    link = external_url("accounts.accept_invitation", token=token)
    mail.send(
        session,
        invitation.email,
        *compose(
            council,
            lambda: (
                _("You are invited to %(council)s", council=council.name),
                _(
                    "%(name)s has invited you to join %(council)s as %(role)s. The link expires in %(days)d days.\n\n%(link)s",
                    name=invited_by.name,
                    council=council.name,
                    role=role,
                    days=days,
                    link=link,
                ),
            ),
        ),
        council_id=council.id,
        secret=link,
    )
    audit.record(
        session,
        "membership.invited",
        "invitation",
        invitation.id,
        council_id=council.id,
        actor_id=invited_by.id,
        role=role,
    )
    session.commit()
    return invitation


def open_invitation(session: Session, token: str) -> tuple[Invitation, Council, User | None]:
    """Return a usable invitation, its council and the existing account for its email, if any."""
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise NotFound(_("This invitation has expired or has already been used. Ask for a new one."))
    existing = session.exec(select(User).where(User.email == invitation.email)).first()
    return invitation, session.get(Council, invitation.council_id), existing


def accept_invitation(
    session: Session, token: str, *, current: User | None, name: str | None = None, password: str | None = None
) -> User:
    """Join the council: as the signed-in owner of the invited email, or as a new account."""
    invitation, council, existing = open_invitation(session, token)
    if existing is not None:
        if current is None or current.id != existing.id:
            raise NotAllowed(_("Sign in as %(email)s to accept this invitation.", email=invitation.email))
        user = existing
    else:
        if not name or not password:
            raise Invalid(_("Enter your name and a password"))
        user = User(
            name=name.strip(),
            email=invitation.email,
            password_hash=hash_password(password),
            email_confirmed_at=utcnow(),
        )  # the invitation link proved the address
        session.add(user)
        session.flush()
    has_role = session.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id, Membership.role == invitation.role
        )
    ).first()
    if not has_role:
        session.add(Membership(user_id=user.id, council_id=council.id, role=invitation.role))
    invitation.accepted_at = utcnow()
    audit.record(
        session,
        "membership.accepted",
        "invitation",
        invitation.id,
        council_id=council.id,
        actor_id=user.id,
        role=invitation.role,
    )
    session.commit()
    return user


def members_of(session: Session, council: Council) -> list[tuple[User, str, int]]:
    """(user, role, membership id) for every role held in the council, by name."""
    query = (
        select(User, Membership.role, Membership.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.council_id == council.id)
        .order_by(User.name, Membership.role)
    )
    return [(u, r, m) for u, r, m in session.exec(query).all()]


def pending_invitations(session: Session, council: Council) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(Invitation.council_id == council.id, Invitation.accepted_at.is_(None), Invitation.expires_at >= utcnow())
        .order_by(Invitation.created_at.desc())
    )
    return list(session.exec(query).all())


def _mail_councils(session: Session, user: User) -> list[int]:
    """The councils whose mail a person may see: those where they are an admin or an officer."""
    query = select(Membership.council_id).where(Membership.user_id == user.id, Membership.role.in_((ADMIN, OFFICER)))
    return sorted(set(session.exec(query).all()))


def outbox(session: Session, user: User, limit: int = 100) -> list[mail.OutboxMessage]:
    """The newest mail of the councils this person manages; never another council's."""
    return mail.outbox(session, _mail_councils(session, user), limit)


def retry_mail(session: Session, user: User, message_id: int | None) -> int:
    """Send failed mail of this person's councils again (one message, or all); return how many."""
    count = mail.retry_failed(session, _mail_councils(session, user), message_id)
    if count:
        audit.record(session, "mail.retried", "outbox_message", message_id or 0, actor_id=user.id, count=count)
    session.commit()
    return count
