"""API: merging two practices that are the same (``POST /api/v1/practices/{id}/merge``), with
the screens' operation, checks and audit trail (docs/domain.md#merges). Staff and admins."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.api.common import commit_or_refuse, documented_errors
from crm.api.serializers import practice_dict
from crm.core import pagination
from crm.core.errors import InvalidInput
from crm.responses import merging
from crm.responses.models import Practice

blp = Blueprint(
    "api_merges",
    __name__,
    url_prefix="/api/v1",
    description="Merging duplicate practices (staff only)",
)
blp.before_request(load_api_user)


class MergeBody(Schema):
    into = fields.Integer(
        required=True,
        strict=True,
        metadata={"description": "Id of the practice that stays (same country)"},
    )


class MergeResult(Schema):
    merged = fields.Integer(
        required=True, metadata={"description": "Id of the practice merged away"}
    )
    practice = fields.Nested(schemas.PracticeSchema, required=True)


@blp.post("/practices/<int:practice_id>/merge")
@api_requires("staff")
@blp.arguments(MergeBody)
@blp.response(200, MergeResult)
@documented_errors(blp, 401, 403, 404, 415, 422)
def merge_practice(body, practice_id):
    """Merge this practice into ``into``: its contacts, interests, responses, activities, tasks
    and invitations move there, the counts and readiness follow, and its old page says where it
    went."""
    source = pagination.get_row_or_404(Practice, practice_id)

    def operation() -> Practice:
        target = pagination.get_row(Practice, body["into"])
        if target is None:
            raise InvalidInput("into", _("That practice no longer exists."))
        try:
            return merging.merge_practices(source, target)
        except merging.MergeRefused as error:
            raise InvalidInput("into", str(error)) from None

    survivor = commit_or_refuse(operation)
    return {"merged": practice_id, "practice": practice_dict(survivor)}
