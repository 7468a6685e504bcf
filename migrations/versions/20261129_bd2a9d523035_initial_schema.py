"""initial schema

Revision ID: bd2a9d523035
Revises:
Create Date: 2026-11-29

"""

import flask_security  # noqa: F401  (its column types may appear in migrations)
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bd2a9d523035"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("alpha3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("subregion", sa.String(length=3), nullable=True),
        sa.Column("eu_member", sa.Boolean(), nullable=False),
        sa.Column("income_group", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "income_group IS NULL OR income_group IN ('low', 'lower_middle', 'upper_middle', 'high')",
            name=op.f("ck_countries_income_group_allowed"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_countries")),
        sa.UniqueConstraint("alpha3", name=op.f("uq_countries_alpha3")),
    )
    with op.batch_alter_table("countries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_countries_region"), ["region"], unique=False)

    op.create_table(
        "programs",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("default_threshold", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.CheckConstraint("code IN ('QOPI', 'QCP', 'QTP')", name=op.f("ck_programs_code_known")),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity BETWEEN 1 AND 1000",
            name=op.f("ck_programs_capacity_range"),
        ),
        sa.CheckConstraint(
            "default_threshold IS NULL OR default_threshold BETWEEN 1 AND 1000",
            name=op.f("ck_programs_default_threshold_range"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programs")),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "name IN ('viewer', 'staff', 'admin')", name=op.f("ck_roles_name_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("name", name=op.f("uq_roles_name")),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("password", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("fs_uniquifier", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("digest", sa.String(length=8), nullable=False),
        sa.Column("tf_primary_method", sa.String(length=64), nullable=True),
        sa.Column("tf_totp_secret", sa.String(length=255), nullable=True),
        sa.Column("tf_phone_number", sa.String(length=128), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "digest IN ('none', 'daily', 'weekly')", name=op.f("ck_staff_users_digest_allowed")
        ),
        sa.CheckConstraint(
            "locale IN ('en', 'es', 'pt_BR')", name=op.f("ck_staff_users_locale_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
        sa.UniqueConstraint("fs_uniquifier", name=op.f("uq_staff_users_fs_uniquifier")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_api_tokens_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_audit_events_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_country_occurred", ["country_code", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_audit_events_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_events_practice_occurred", ["practice_id", "occurred_at"], unique=False
        )

    op.create_table(
        "availabilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('not_available', 'under_consideration', 'in_pipeline', 'pilot', 'available', 'suspended')",
            name=op.f("ck_availabilities_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_availabilities_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_availabilities_program_code_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_users.id"],
            name=op.f("fk_availabilities_updated_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availabilities")),
        sa.UniqueConstraint(
            "country_code", "program_code", name=op.f("uq_availabilities_country_code_program_code")
        ),
    )
    with op.batch_alter_table("availabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availabilities_program_code"), ["program_code"], unique=False
        )
        batch_op.create_index("ix_availabilities_status", ["program_code", "status"], unique=False)

    op.create_table(
        "country_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'negotiating', 'out_for_signature', 'signed', 'expired', 'terminated')",
            name=op.f("ck_country_agreements_status_allowed"),
        ),
        sa.CheckConstraint(
            "effective_on IS NULL OR signed_on IS NULL OR effective_on >= signed_on",
            name=op.f("ck_country_agreements_effective_after_signed"),
        ),
        sa.CheckConstraint(
            "expires_on IS NULL OR signed_on IS NULL OR expires_on >= signed_on",
            name=op.f("ck_country_agreements_expires_after_signed"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_country_agreements_country_code_countries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_agreements")),
    )
    with op.batch_alter_table("country_agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_country_agreements_country_code"), ["country_code"], unique=False
        )

    op.create_table(
        "country_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("min_eligible_practices", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_eligible_practices BETWEEN 1 AND 1000",
            name=op.f("ck_country_thresholds_threshold_range"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_country_thresholds_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_country_thresholds_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_thresholds")),
        sa.UniqueConstraint(
            "country_code",
            "program_code",
            name=op.f("uq_country_thresholds_country_code_program_code"),
        ),
    )
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("city_key", sa.String(length=200), nullable=True),
        sa.Column("practice_type", sa.String(length=32), nullable=True),
        sa.Column("outpatient_hem_onc", sa.Boolean(), nullable=True),
        sa.Column("oncologists_count", sa.Integer(), nullable=True),
        sa.Column("new_patients_per_year", sa.Integer(), nullable=True),
        sa.Column("asco_members_count", sa.Integer(), nullable=True),
        sa.Column("ehr_use", sa.String(length=32), nullable=True),
        sa.Column("reads_english", sa.Boolean(), nullable=True),
        sa.Column("willing_to_sign_agreement", sa.Boolean(), nullable=True),
        sa.Column("answers_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "practice_type IS NULL OR practice_type IN ('private_practice', 'hospital_based', 'academic_center', 'cancer_center', 'public_hospital', 'other')",
            name=op.f("ck_practices_practice_type_allowed"),
        ),
        sa.CheckConstraint(
            "asco_members_count IS NULL OR asco_members_count BETWEEN 0 AND 10000",
            name=op.f("ck_practices_asco_members_range"),
        ),
        sa.CheckConstraint(
            "new_patients_per_year IS NULL OR new_patients_per_year BETWEEN 0 AND 10000000",
            name=op.f("ck_practices_new_patients_range"),
        ),
        sa.CheckConstraint(
            "oncologists_count IS NULL OR oncologists_count BETWEEN 0 AND 10000",
            name=op.f("ck_practices_oncologists_count_range"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"], ["countries.code"], name=op.f("fk_practices_country_code_countries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
    )
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_practices_country_name_key", ["country_code", "name_key"], unique=False
        )

    op.create_table(
        "privacy_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=True),
        sa.Column("applicable_law", sa.String(length=200), nullable=True),
        sa.Column("counsel", sa.String(length=200), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'requested', 'in_review', 'approved', 'approved_with_conditions', 'rejected')",
            name=op.f("ck_privacy_reviews_status_allowed"),
        ),
        sa.CheckConstraint(
            "decided_on IS NULL OR requested_on IS NULL OR decided_on >= requested_on",
            name=op.f("ck_privacy_reviews_decided_after_requested"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_privacy_reviews_country_code_countries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_reviews")),
    )
    with op.batch_alter_table("privacy_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_reviews_country_code"), ["country_code"], unique=False
        )

    op.create_table(
        "readiness_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("previous_state", sa.String(length=24), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "state IN ('launched', 'ready', 'awaiting_capacity', 'near_ready', 'blocked')",
            name=op.f("ck_readiness_changes_state_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_readiness_changes_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_readiness_changes_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_changes")),
    )
    with op.batch_alter_table("readiness_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_readiness_changes_country_program",
            ["country_code", "program_code", "recorded_at"],
            unique=False,
        )

    op.create_table(
        "staff_user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.id"],
            name=op.f("fk_staff_user_roles_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_user_roles_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_staff_user_roles")),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('note', 'call', 'email', 'meeting')", name=op.f("ck_activities_kind_allowed")
        ),
        sa.CheckConstraint(
            "country_code IS NOT NULL OR practice_id IS NOT NULL",
            name=op.f("ck_activities_on_country_or_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_activities_author_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["country_code"], ["countries.code"], name=op.f("fk_activities_country_code_countries")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_activities_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_country_occurred", ["country_code", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_activities_practice_occurred", ["practice_id", "occurred_at"], unique=False
        )

    op.create_table(
        "availability_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("availability_id", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "previous_status IS NULL OR previous_status IN ('not_available', 'under_consideration', 'in_pipeline', 'pilot', 'available', 'suspended')",
            name=op.f("ck_availability_changes_previous_status_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('not_available', 'under_consideration', 'in_pipeline', 'pilot', 'available', 'suspended')",
            name=op.f("ck_availability_changes_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["availability_id"],
            ["availabilities.id"],
            name=op.f("fk_availability_changes_availability_id_availabilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_users.id"],
            name=op.f("fk_availability_changes_recorded_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_changes")),
    )
    with op.batch_alter_table("availability_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_changes_availability_id"), ["availability_id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("preferred_language", sa.String(length=5), nullable=True),
        sa.Column("permission_to_contact", sa.Boolean(), nullable=False),
        sa.Column("permission_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "preferred_language IS NULL OR preferred_language IN ('en', 'es', 'pt_BR')",
            name=op.f("ck_contacts_preferred_language_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_contacts_practice_id_practices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_email_key"), ["email_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "country_agreement_programs",
        sa.Column("country_agreement_id", sa.Integer(), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_agreement_id"],
            ["country_agreements.id"],
            name=op.f("fk_country_agreement_programs_country_agreement_id_country_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_country_agreement_programs_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint(
            "country_agreement_id", "program_code", name=op.f("pk_country_agreement_programs")
        ),
    )
    op.create_table(
        "privacy_review_programs",
        sa.Column("privacy_review_id", sa.Integer(), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["privacy_review_id"],
            ["privacy_reviews.id"],
            name=op.f("fk_privacy_review_programs_privacy_review_id_privacy_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_privacy_review_programs_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint(
            "privacy_review_id", "program_code", name=op.f("pk_privacy_review_programs")
        ),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_tasks_status_allowed"),
        ),
        sa.CheckConstraint(
            "country_code IS NOT NULL OR practice_id IS NOT NULL",
            name=op.f("ck_tasks_on_country_or_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"], ["countries.code"], name=op.f("fk_tasks_country_code_countries")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_tasks_created_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_users.id"], name=op.f("fk_tasks_owner_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_tasks_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_country_code"), ["country_code"], unique=False)
        batch_op.create_index(
            "ix_tasks_owner_status_due", ["owner_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tasks_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_token", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("privacy_notice_version", sa.String(length=20), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("permission_to_contact", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("triage_status", sa.String(length=10), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("suggested_practice_id", sa.Integer(), nullable=True),
        sa.Column("suggestion_score", sa.Float(), nullable=True),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("triaged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "language IN ('en', 'es', 'pt_BR')", name=op.f("ck_survey_responses_language_allowed")
        ),
        sa.CheckConstraint(
            "source IN ('web', 'import', 'api')", name=op.f("ck_survey_responses_source_allowed")
        ),
        sa.CheckConstraint(
            "triage_status IN ('new', 'linked', 'duplicate', 'spam')",
            name=op.f("ck_survey_responses_triage_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_survey_responses_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_survey_responses_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_survey_responses_practice_id_practices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_practice_id"],
            ["practices.id"],
            name=op.f("fk_survey_responses_suggested_practice_id_practices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by_id"],
            ["staff_users.id"],
            name=op.f("fk_survey_responses_triaged_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("submission_token", name=op.f("uq_survey_responses_submission_token")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_responses_country_submitted", ["country_code", "submitted_at"], unique=False
        )
        batch_op.create_index(
            "ix_survey_responses_practice_submitted", ["practice_id", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_responses_suggested_practice_id"),
            ["suggested_practice_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_survey_responses_triage_submitted", ["triage_status", "submitted_at"], unique=False
        )

    op.create_table(
        "interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("timeframe", sa.String(length=24), nullable=True),
        sa.Column("willing_to_pay_fee", sa.Boolean(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('very', 'somewhat', 'not_very', 'not_at_all')",
            name=op.f("ck_interests_level_allowed"),
        ),
        sa.CheckConstraint(
            "timeframe IS NULL OR timeframe IN ('within_6_months', '6_to_12_months', 'over_12_months', 'not_sure')",
            name=op.f("ck_interests_timeframe_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_interests_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_code"], ["programs.code"], name=op.f("fk_interests_program_code_programs")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_interests_response_id_survey_responses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interests")),
        sa.UniqueConstraint(
            "practice_id", "program_code", name=op.f("uq_interests_practice_id_program_code")
        ),
    )
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.create_index("ix_interests_program_level", ["program_code", "level"], unique=False)
        batch_op.create_index(batch_op.f("ix_interests_response_id"), ["response_id"], unique=False)


def downgrade():
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interests_response_id"))
        batch_op.drop_index("ix_interests_program_level")

    op.drop_table("interests")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_responses_triage_submitted")
        batch_op.drop_index(batch_op.f("ix_survey_responses_suggested_practice_id"))
        batch_op.drop_index("ix_survey_responses_practice_submitted")
        batch_op.drop_index("ix_survey_responses_country_submitted")
        batch_op.drop_index(batch_op.f("ix_survey_responses_contact_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_practice_id"))
        batch_op.drop_index("ix_tasks_owner_status_due")
        batch_op.drop_index(batch_op.f("ix_tasks_country_code"))

    op.drop_table("tasks")
    op.drop_table("privacy_review_programs")
    op.drop_table("country_agreement_programs")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_practice_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_email_key"))

    op.drop_table("contacts")
    with op.batch_alter_table("availability_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_changes_availability_id"))

    op.drop_table("availability_changes")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_practice_occurred")
        batch_op.drop_index("ix_activities_country_occurred")

    op.drop_table("activities")
    op.drop_table("staff_user_roles")
    with op.batch_alter_table("readiness_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_readiness_changes_country_program")

    op.drop_table("readiness_changes")
    with op.batch_alter_table("privacy_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_reviews_country_code"))

    op.drop_table("privacy_reviews")
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.drop_index("ix_practices_country_name_key")

    op.drop_table("practices")
    op.drop_table("country_thresholds")
    with op.batch_alter_table("country_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_agreements_country_code"))

    op.drop_table("country_agreements")
    with op.batch_alter_table("availabilities", schema=None) as batch_op:
        batch_op.drop_index("ix_availabilities_status")
        batch_op.drop_index(batch_op.f("ix_availabilities_program_code"))

    op.drop_table("availabilities")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_practice_occurred")
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index("ix_audit_events_entity")
        batch_op.drop_index("ix_audit_events_country_occurred")

    op.drop_table("audit_events")
    op.drop_table("api_tokens")
    op.drop_table("staff_users")
    op.drop_table("roles")
    op.drop_table("programs")
    with op.batch_alter_table("countries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_countries_region"))

    op.drop_table("countries")
