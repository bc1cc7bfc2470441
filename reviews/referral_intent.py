"""The clinical-intent check (issue 20, item 3): does the requested service fit the
diagnoses and the specialty? Reads the mapping (`ClinicalIntentRule`, data an administrator
keeps), answers questions for the nurse, never a decision: a mismatch is flagged, the
referral is never denied for it (RULES.md section 3: software never denies).

Three questions, each only where the mapping knows the answer:
- the specialty usually treats none of the diagnoses (`specialty_diagnosis`);
- a service belongs to a family of another specialty (`service_specialty`);
- a service's family treats none of the diagnoses (`service_diagnosis`).
"""

from dataclasses import dataclass

from .models_referrals import ClinicalIntentRule


@dataclass(frozen=True)
class IntentFlag:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _fits(blocks: list[tuple[str, str]], diagnosis: str) -> bool:
    head = diagnosis.upper().replace(".", "")[:3]
    return any(low <= head <= high for low, high in blocks)


def intent_rules() -> list[ClinicalIntentRule]:
    """The mapping in use (one query)."""
    return list(ClinicalIntentRule.objects.filter(active=True))


def intent_flags(
    *, specialty: str, specialty_name: str, diagnoses: list[str], lines: list[tuple[str, str, str]], rules=None
) -> list[IntentFlag]:
    """Questions about a referral. `lines`: (code system, code, plain words) per service line.
    With no diagnoses, or a specialty and codes the mapping does not know, nothing is asked."""
    rules = intent_rules() if rules is None else rules
    diagnoses = [d for d in diagnoses if d]
    flags: list[IntentFlag] = []
    named = specialty_name or specialty
    own = [r for r in rules if r.specialty == specialty] if specialty else []
    if own and diagnoses:
        blocks = [b for r in own for b in r.diagnosis_blocks()]
        if not any(_fits(blocks, d) for d in diagnoses):
            flags.append(
                IntentFlag(
                    "specialty_diagnosis",
                    f"{named} does not usually treat the diagnoses given ({', '.join(diagnoses)}).",
                )
            )
    for system, code, words in lines:
        if system not in ("CPT", ""):
            continue
        families = [r for r in rules if r.covers_code(code)]
        if not families:
            continue
        label = f"{code} ({words})" if words else code
        owners = {r.specialty for r in families}
        if specialty and specialty not in owners:
            family_names = sorted({r.specialty_name for r in families})
            flags.append(
                IntentFlag(
                    "service_specialty",
                    f"{label} is a {families[0].service_family.lower() or 'service'} code usually done by "
                    f"{' or '.join(family_names)}, not {named}.",
                )
            )
        blocks = [b for r in families for b in r.diagnosis_blocks()]
        if diagnoses and not any(_fits(blocks, d) for d in diagnoses):
            flags.append(
                IntentFlag(
                    "service_diagnosis", f"None of the diagnoses ({', '.join(diagnoses)}) usually calls for {label}."
                )
            )
    return flags


def case_intent_flags(case, *, specialty: str, specialty_name: str, rules=None) -> list[IntentFlag]:
    """The check on a case (reads its diagnoses and lines: prefetched on the case page)."""
    return intent_flags(
        specialty=specialty,
        specialty_name=specialty_name,
        diagnoses=[d.code for d in case.diagnoses.all()],
        lines=[(line.code_system, line.code, line.description) for line in case.lines.all() if not line.cancelled_at],
        rules=rules,
    )
