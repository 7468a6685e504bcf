"""Staff accounts (Flask-Security-Too), roles, their sessions on the server and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_security import RoleMixin, UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

#: The roles of ``docs/domain.md#roles``; "admin" implies staff rights, "staff" implies viewer
#: rights.
ROLES = ("viewer", "staff", "admin")

roles_users = Table(
    "staff_user_roles",
    db.metadata,
    Column("user_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    """A role of ``docs/domain.md#roles``."""

    __tablename__ = "roles"
    __table_args__ = (one_of("name", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<Role {self.name}>"


class User(db.Model, UserMixin):
    """A staff, viewer or admin account (``user`` is reserved in PostgreSQL: hence the name)."""

    __tablename__ = "staff_users"
    __table_args__ = (
        one_of("locale", ("en", "es", "pt_BR")),
        one_of("digest", ("none", "daily", "weekly")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Changing it ends every session of the user (logout, password change).
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    digest: Mapped[str] = mapped_column(String(8), default="none")
    tf_primary_method: Mapped[str | None] = mapped_column(String(64))
    tf_totp_secret: Mapped[str | None] = mapped_column(String(255))
    tf_phone_number: Mapped[str | None] = mapped_column(String(128))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[Role]] = relationship(secondary=roles_users, lazy="selectin")

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.name for r in self.roles)

    @property
    def two_factor_mandatory(self) -> bool:
        """Admins must use two-factor when ``ADMIN_TWO_FACTOR_REQUIRED`` is on
        (``docs/domain.md#roles``)."""
        return "admin" in self.role_names and bool(
            current_app.config.get("ADMIN_TWO_FACTOR_REQUIRED")
        )

    def check_tf_required(self, tf_setup_methods, tf_fresh):
        """Flask-Security hook: two-factor at login for admins (set up on first login), and for
        anyone who set it up."""
        required, methods = super().check_tf_required(tf_setup_methods, tf_fresh)
        if self.two_factor_mandatory and not required:
            always = current_app.config.get("SECURITY_TWO_FACTOR_ALWAYS_VALIDATE", True)
            required = bool(always or not tf_fresh)
        return required, methods

    def check_tf_required_setup(self) -> bool:
        """Flask-Security hook: an admin may not switch two-factor off."""
        return self.two_factor_mandatory or super().check_tf_required_setup()

    def __repr__(self) -> str:
        return f"<User {self.id}>"


#: What an API token may do: read, or read and write (docs/decisions.md#api-tokens).
TOKEN_SCOPES = ("read", "write")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored. It acts with its
    owner's role, within its scope, until its expiry or its revocation."""

    __tablename__ = "api_tokens"
    __table_args__ = (one_of("scope", TOKEN_SCOPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    #: Hex SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the token, to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``read``: GET only; ``write``: whatever the owner's role allows.
    scope: Mapped[str] = mapped_column(String(8), default="write")
    #: Refused from this instant on (UTC); None: never expires.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class StaffSession(db.Model):
    """A staff login held on the server: the session cookie carries a random key, and only
    while this row stands (not ended by a logout, an admin or a timeout) does the cookie open
    staff pages (docs/decisions.md#server-sessions)."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    #: Hex SHA-256 of the key in the cookie; the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last request seen, to the minute (written at most once a minute).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What the browser said it is (its User-Agent, cut), so a user tells their sessions apart.
    user_agent: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<StaffSession {self.id} of user {self.user_id}>"
