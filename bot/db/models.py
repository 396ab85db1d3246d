"""SQLAlchemy 1.4 declarative models (queries use the 2.0 style).

Dates (``received_on``, ``due_date``, ``effective``) are local calendar dates in
Asia/Ho_Chi_Minh; ``created_at`` is a UTC timestamp.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Agency(Base):
    """A 2022 addressee of Văn bản 797/BTTTT-THH."""

    __tablename__ = "agency"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    kind = Column(String(32), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)


class AgencySuccession(Base):
    """What became of an agency after 2022 (operator data)."""

    __tablename__ = "agency_succession"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_name", name="uq_succession"),)

    id = Column(Integer, primary_key=True)
    predecessor_id = Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=False)
    successor_name = Column(String(255), nullable=False)
    successor_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    effective = Column(Date, nullable=False)
    kind = Column(String(16), nullable=False, default="merge")
    source = Column(Text, nullable=False, default="")

    predecessor = relationship(Agency, foreign_keys=[predecessor_id])
    successor = relationship(Agency, foreign_keys=[successor_id])


class Obligation(Base):
    """Something every addressee must send: the 2022 plan or a quarterly report."""

    __tablename__ = "obligation"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    kind = Column(String(32), nullable=False)  # plan | quarterly_report
    year = Column(Integer, nullable=False)
    quarter = Column(Integer, nullable=True)
    title = Column(Text, nullable=False)
    due_date = Column(Date, nullable=False)
    due_date_origin = Column(String(32), nullable=False)  # operator_default | directive
    due_date_source = Column(Text, nullable=False)


class Submission(Base):
    """A document an agency sent for an obligation."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("agency_id", "obligation_id", "reference_number", name="uq_submission"),
    )

    id = Column(Integer, primary_key=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=False, index=True)
    obligation_id = Column(Integer, ForeignKey("obligation.id"), nullable=False, index=True)
    received_on = Column(Date, nullable=False)
    reference_number = Column(String(128), nullable=False, default="")
    note = Column(Text, nullable=False, default="")
    is_sample = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utcnow)

    agency = relationship(Agency)
    obligation = relationship(Obligation)
