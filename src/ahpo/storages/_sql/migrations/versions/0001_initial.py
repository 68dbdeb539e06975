"""The initial schema: studies, trials and their values, params and attributes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _attr_table(name: str, owner: str, parent: str) -> None:
    op.create_table(
        name,
        sa.Column(owner, sa.Integer, nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("value_json", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            [owner], [f"{parent}.{owner}"], name=f"fk_{name}_{owner}_{parent}", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(owner, "key", name=f"pk_{name}"),
    )


def _float_table(name: str, key: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("trial_id", sa.Integer, nullable=False),
        key,
        sa.Column("value", sa.Double, nullable=True),
        sa.Column("value_type", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.trial_id"], name=f"fk_{name}_trial_id_trials", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("trial_id", key.name, name=f"pk_{name}"),
    )


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("study_id", sa.Integer, nullable=False),
        sa.Column("study_name", sa.String(512), nullable=False),
        sa.Column("datetime_created", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("study_id", name="pk_studies"),
        sa.UniqueConstraint("study_name", name="uq_studies_study_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "study_directions",
        sa.Column("study_id", sa.Integer, nullable=False),
        sa.Column("objective", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.study_id"],
            name="fk_study_directions_study_id_studies",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("study_id", "objective", name="pk_study_directions"),
    )
    _attr_table("study_user_attrs", "study_id", "studies")
    _attr_table("study_system_attrs", "study_id", "studies")
    op.create_table(
        "trials",
        sa.Column("trial_id", sa.Integer, nullable=False),
        sa.Column("study_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("datetime_start", sa.DateTime, nullable=True),
        sa.Column("datetime_complete", sa.DateTime, nullable=True),
        sa.Column("heartbeat", sa.Double, nullable=True),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.study_id"],
            name="fk_trials_study_id_studies",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trial_id", name="pk_trials"),
        sa.UniqueConstraint("study_id", "number", name="uq_trials_study_id_number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_trials_study_id_state", "trials", ["study_id", "state"])
    op.create_index("ix_trials_study_id_trial_id", "trials", ["study_id", "trial_id"])
    op.create_table(
        "trial_params",
        sa.Column("param_id", sa.Integer, nullable=False),
        sa.Column("trial_id", sa.Integer, nullable=False),
        sa.Column("param_name", sa.String(512), nullable=False),
        sa.Column("param_value", sa.Double, nullable=False),
        sa.Column("distribution_json", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["trials.trial_id"],
            name="fk_trial_params_trial_id_trials",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("param_id", name="pk_trial_params"),
        sa.UniqueConstraint("trial_id", "param_name", name="uq_trial_params_trial_id_param_name"),
    )
    _float_table("trial_values", sa.Column("objective", sa.Integer, nullable=False))
    _float_table("trial_intermediate_values", sa.Column("step", sa.BigInteger, nullable=False))
    _attr_table("trial_user_attrs", "trial_id", "trials")
    _attr_table("trial_system_attrs", "trial_id", "trials")


def downgrade() -> None:
    for name in (
        "trial_system_attrs",
        "trial_user_attrs",
        "trial_intermediate_values",
        "trial_values",
        "trial_params",
        "trials",
        "study_system_attrs",
        "study_user_attrs",
        "study_directions",
        "studies",
    ):
        op.drop_table(name)
