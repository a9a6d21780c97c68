"""Rule 6 — permitted use: the proposal's use against the territorial zone's list of
permitted uses (a violation when it is not there) and the parcel's own permitted use (a
warning: the parcel's use would have to be changed first)."""

from __future__ import annotations

import re

from citymodel.planning import PROPOSAL_USES, use_permitted
from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import NO_DATA, OK, VIOLATION, WARNING, Finding

_CLASSIFIER_CODE = re.compile(r"^\d{1,2}(\.\d{1,2}){1,3}$")  # 2.6, 2.1.1 (not the register's 12 digits)


def check(ctx: Context) -> list[Finding]:
    findings = []
    for proposal in ctx.proposals:
        parcels = ctx.parcels_of(proposal)
        if not parcels:
            continue
        parcel = parcels[0]
        use = PROPOSAL_USES[proposal.use]
        zone = ctx.territorial_zone(parcel)
        wanted = ", ".join(use.codes)
        if zone is not None and zone.permitted_uses:
            if not use_permitted(use.codes, zone.permitted_uses):
                findings.append(Finding(
                    "permitted_use", VIOLATION,
                    f"{proposal.use.capitalize()} use ({wanted}) is not among the uses {zone.label} "
                    f"permits ({', '.join(zone.permitted_uses)}).", subject=proposal.label,
                    source=zone.label, geometry=proposal.footprint,
                    details={"use": proposal.use, "codes": list(use.codes),
                             "permitted": zone.permitted_uses}))
                continue
        code = (parcel.permitted_use or "").strip()
        if _CLASSIFIER_CODE.match(code) and not use_permitted(use.codes, [code]):
            findings.append(Finding(
                "permitted_use", WARNING,
                f"{parcel.label} is registered for use {code}"
                f"{f' ({parcel.permitted_use_text})' if parcel.permitted_use_text else ''}, not "
                f"{proposal.use} ({wanted}): its permitted use would have to be changed.",
                subject=proposal.label, source="cadastre",
                details={"use": proposal.use, "parcel_use": code}))
        elif zone is None or not zone.permitted_uses:
            findings.append(Finding("permitted_use", NO_DATA if not _CLASSIFIER_CODE.match(code) else OK,
                                    "No zone lists the permitted uses here"
                                    + ("; the parcel's own use allows it." if _CLASSIFIER_CODE.match(code)
                                       else ", and the parcel's use is not coded."),
                                    subject=proposal.label, source="cadastre"))
        else:
            findings.append(Finding("permitted_use", OK,
                                    f"{proposal.use.capitalize()} use is permitted in {zone.label}.",
                                    subject=proposal.label, source=zone.label))
    return findings
