"""The OCDS 1.1 release package schema in ../shared/standards, as a validator that resolves
its references locally (no network)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

OCDS = Path(settings.BASE_DIR).parent / "shared" / "standards" / "ocds" / "schema"
needs_ocds_schema = pytest.mark.skipif(
    not OCDS.is_dir(), reason=f"the OCDS 1.1 schema is not at {OCDS}"
)


def ocds_validator() -> Draft4Validator:
    """The package schema, with the release schema it refers to by URL served from the local
    file: ``referencing`` then has nothing to fetch, and an unknown URL is an error."""
    package_schema = json.loads((OCDS / "release-package-schema.json").read_text())
    release_schema = json.loads((OCDS / "release-schema.json").read_text())
    registry = Registry().with_resource(
        release_schema["id"], DRAFT4.create_resource(release_schema)
    )
    return Draft4Validator(
        package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )
