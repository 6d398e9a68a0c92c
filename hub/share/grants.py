"""Grants as declared data: per department, which subjects, fields, relations and checks it may
read, for which purposes, unmasked identifiers, and its county scope (县级操作员只见本县).

A grants file is YAML validated with pydantic on load; a typo is a :class:`GrantsError` naming
the file and the key (``grants.yaml: departments.mzj.grants.0.person.feilds: extra inputs …``).
Whether each named field exists is checked against the serving tables when the service starts
(:func:`check_fields`), since the libraries may gain columns without a code change.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.share.vocabulary import RELATION_SUBJECT, Check, Relation, Subject

MASKABLE = {Subject.PERSON: ("citizen_id", "phone")}
"""Fields masked unless a grant lists them under ``unmasked``."""

_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class GrantsError(ValueError):
    """A grants file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectGrant(_Strict):
    """The fields of one subject a grant may read; ``unmasked`` identifiers are shown in full."""

    fields: tuple[str, ...] = Field(min_length=1)
    unmasked: tuple[str, ...] = ()
    search: bool = False  # person only: may search by name

    @model_validator(mode="after")
    def _unmasked_are_granted(self) -> SubjectGrant:
        stray = [f for f in self.unmasked if f not in self.fields]
        if stray:
            raise ValueError(f"unmasked fields not among the granted fields: {stray}")
        return self


class Grant(_Strict):
    """What a department may read for some purposes (one department may hold several)."""

    purposes: tuple[str, ...] = Field(min_length=1)
    person: SubjectGrant | None = None
    legal_entity: SubjectGrant | None = None
    house: SubjectGrant | None = None
    relations: tuple[Relation, ...] = ()
    checks: tuple[Check, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> Grant:
        for relation in self.relations:
            if self.subject(RELATION_SUBJECT[relation]) is None:
                raise ValueError(
                    f"relation {relation.value!r} needs subject "
                    f"{RELATION_SUBJECT[relation].value!r} in the same grant"
                )
        if self.relations and self.person is None:
            raise ValueError("relations need subject 'person' in the same grant")
        if self.legal_entity and self.legal_entity.search:
            raise ValueError("search is only offered on person")
        if self.house and self.house.search:
            raise ValueError("search is only offered on person")
        return self

    def subject(self, subject: Subject) -> SubjectGrant | None:
        return getattr(self, subject.value)


class RateLimit(_Strict):
    per_second: float = Field(gt=0)
    burst: int = Field(ge=1)


class Department(_Strict):
    """A department (or a county operator) that queries the hub."""

    name: str
    county: str | None = Field(default=None, pattern=r"^\d{6}$")
    rate_limit: RateLimit | None = None
    grants: tuple[Grant, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _purposes_unique(self) -> Department:
        seen: set[str] = set()
        for grant in self.grants:
            for purpose in grant.purposes:
                if purpose in seen:
                    raise ValueError(f"purpose {purpose!r} appears in two grants")
                seen.add(purpose)
        return self

    def grant_for(self, purpose: str) -> Grant | None:
        return next((g for g in self.grants if purpose in g.purposes), None)

    @property
    def purposes(self) -> list[str]:
        return [p for g in self.grants for p in g.purposes]


class Grants(_Strict):
    """The whole file: the declared purposes (法定用途) and the departments."""

    purposes: dict[str, str]
    departments: dict[str, Department]

    @model_validator(mode="after")
    def _purposes_declared(self) -> Grants:
        for code in self.purposes:
            if not _PURPOSE.match(code):
                raise ValueError(f"purpose code {code!r} must be lowercase snake_case")
        for dept_code, dept in self.departments.items():
            for purpose in dept.purposes:
                if purpose not in self.purposes:
                    raise ValueError(
                        f"department {dept_code!r}: purpose {purpose!r} is not declared "
                        "under 'purposes'"
                    )
        return self


def load_grants(path: Path) -> Grants:
    """Read and validate a grants file; a :class:`GrantsError` names the file and key."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GrantsError(f"{path}: {exc}") from exc
    try:
        return Grants.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise GrantsError(f"{path}: {problems}") from exc


def check_fields(grants: Grants, columns: dict[Subject, set[str]], path: Path) -> None:
    """Every granted field must be a column of its serving table (read from the database)."""
    problems = []
    for dept_code, dept in grants.departments.items():
        for i, grant in enumerate(dept.grants):
            for subject in Subject:
                sg = grant.subject(subject)
                for field in sg.fields if sg else ():
                    if field not in columns[subject]:
                        problems.append(
                            f"departments.{dept_code}.grants.{i}.{subject.value}.fields: "
                            f"unknown field {field!r}"
                        )
    if problems:
        raise GrantsError(f"{path}: " + "; ".join(problems))
