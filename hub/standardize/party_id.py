"""An owner's certificate number that is either a citizen ID or a credit code (不动产 权利人证件号).

The real-estate register holds people and legal entities in one column. A value valid as a
citizen ID is a person (an all-digit credit code is practically never also a valid citizen ID:
its "birth date" would have to exist and both check characters to agree; should it happen, the
person reading wins); otherwise a valid credit code is an organization. A value valid as neither
carries the error of the reading its shape suggests: digits (and a final X) of length 15 or 18
read as a citizen ID, anything else as a credit code.

>>> standardize_value('42272519620925817x')
Outcome(value='42272519620925817X', error=None, warning='area_code_not_in_force', extra={'party_type': 'person', 'suggestion': None})
>>> standardize_value('91420506308390906X').extra['party_type']
'organization'
"""

from __future__ import annotations

import re

from hub.standardize import citizen_id, credit_code
from hub.standardize.outcome import Outcome

EXTRAS = ("party_type", "suggestion")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def from_outcomes(value: str | None, person: Outcome) -> Outcome:
    """The party outcome given the citizen-ID outcome of the same value."""
    if person.value is None and person.error is None:
        return Outcome(None, None, None, {"party_type": None, "suggestion": None})
    if person.error is None:
        return Outcome(
            person.value, None, person.warning, {"party_type": "person", "suggestion": None}
        )
    organization = credit_code.standardize_value(value)
    if organization.error is None:
        return Outcome(
            organization.value,
            None,
            organization.warning,
            {"party_type": "organization", "suggestion": None},
        )
    if _ID_SHAPE.fullmatch(person.value):
        return Outcome(
            person.value,
            person.error,
            None,
            {"party_type": None, "suggestion": person.extra["suggestion"]},
        )
    return Outcome(
        organization.value, organization.error, None, {"party_type": None, "suggestion": None}
    )


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule for one owner certificate number."""
    return from_outcomes(value, citizen_id.standardize_value(value))
