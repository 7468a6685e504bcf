"""Countries (ISO 3166-1) and the society's quality programs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models._types import one_of

if TYPE_CHECKING:
    from crm.models.pipeline import Availability
    from crm.models.users import User

INCOME_GROUPS = ("low", "lower_middle", "upper_middle", "high")


class Country(db.Model):
    """One ISO 3166-1 country; its display name comes from Babel's CLDR data, not this table."""

    __tablename__ = "countries"
    __table_args__ = (
        CheckConstraint(
            "income_group IS NULL OR income_group IN "
            "('low', 'lower_middle', 'upper_middle', 'high')",
            name="income_group_allowed",
        ),
    )

    #: ISO 3166-1 alpha-2, upper case (XK for Kosovo).
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3), unique=True)
    #: English reference name (search, logs); pages show ``crm.i18n.country_name``.
    name: Mapped[str] = mapped_column(String(100))
    #: UN M49 region and sub-region codes, e.g. "019" and "005" for Brazil.
    region: Mapped[str | None] = mapped_column(String(3), index=True)
    subregion: Mapped[str | None] = mapped_column(String(3))
    eu_member: Mapped[bool] = mapped_column(Boolean, default=False)
    #: World Bank income group; NULL where the World Bank does not classify the territory.
    income_group: Mapped[str | None] = mapped_column(String(20))
    #: The staff user who looks after the country; its alerts go to them (issue 9).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    owner: Mapped[User | None] = relationship()
    availabilities: Mapped[list[Availability]] = relationship(back_populates="country")

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Program(db.Model):
    """A quality program (QOPI, QCP, QTP), with its default launch threshold and capacity."""

    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(
            "default_threshold IS NULL OR default_threshold BETWEEN 1 AND 1000",
            name="default_threshold_range",
        ),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 1000", name="capacity_range"),
        one_of("code", ("QOPI", "QCP", "QTP"), name="code_known"),
    )

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Minimum eligible interested practices to open the program in a country (SPEC §2);
    #: NULL for programs without a launch flag (QTP).
    default_threshold: Mapped[int | None] = mapped_column(Integer)
    #: Most countries where the program may be launched at once (QCP only, SPEC §3).
    capacity: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Program {self.code}>"
