"""Reading a PAS request Bundle (Da Vinci PAS 2.2.1) into what intake needs.

The Bundle is first checked for FHIR structure with fhir.resources (R4B models, wire-
compatible with the R4 resources PAS profiles); the PAS reading itself works on the JSON,
resolving references inside the Bundle the way FHIR does (absolute fullUrl, a relative
`Type/id` against the entries' base, `urn:uuid:`). Nothing here touches the database: who
the member and providers are is `pas.mapping`'s job.

What the guide allows and this reader accepts (issue 14, item 1): item dates from
`serviced[x]` or the referenced ServiceRequest / DeviceRequest / MedicationRequest /
NutritionOrder, or the Claim's Encounter; no diagnosis; requestor and care team as
Practitioner, PractitionerRole or Organization; `productOrService` from CPT, HCPCS, X12
service types, ICD-10-PCS and NDC; urgency from the level-of-service extension (X12 1338)
as well as `priority`. Each assumption made on the way is kept and recorded on the case.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from pydantic import ValidationError as PydanticValidationError

from cases.models import ServiceCategory

from .outcomes import FhirError

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
EXT_CERTIFICATION_TYPE = PAS + "extension-certificationType"
EXT_REQUEST_TYPE = PAS + "extension-serviceItemRequestType"
EXT_LEVEL_OF_SERVICE = PAS + "extension-levelOfServiceCode"
EXT_ITEM_TRACE = PAS + "extension-itemTraceNumber"
EXT_REQUESTED_SERVICE = PAS + "extension-requestedService"
EXT_INFO_CHANGED = PAS + "extension-infoChanged"
EXT_INFO_CANCELLED = PAS + "modifierextension-infoCancelled"
EXT_AUTHORIZATION_NUMBER = PAS + "extension-authorizationNumber"
EXT_DOCUMENT_INFORMATION = PAS + "extension-documentInformation"
EXT_ENCOUNTER = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter"

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
X12_SERVICE_TYPE = "https://codesystem.x12.org/005010/1365"
X12_CERTIFICATION_TYPE = "https://codesystem.x12.org/005010/1322"
X12_LEVEL_OF_SERVICE = "https://codesystem.x12.org/005010/1338"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = (
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "urn:oid:2.16.840.1.113883.6.285",
)
# productOrService systems of PAS's X12278RequestedServiceType value set -> the portal's.
PRODUCT_SYSTEMS = {
    CPT: "CPT",
    **{system: "HCPCS" for system in HCPCS_SYSTEMS},
    X12_SERVICE_TYPE: "X12",
    "http://www.cms.gov/Medicare/Coding/ICD10": "PCS",
    "http://hl7.org/fhir/sid/ndc": "NDC",
}
# X12 1365 service types to the portal's service categories; anything else is an
# outpatient procedure unless the request type says admission (assumption recorded).
X12_SERVICE_CATEGORIES = {
    "1": ServiceCategory.OUTPATIENT_PROCEDURE,
    "2": ServiceCategory.OUTPATIENT_PROCEDURE,
    "3": ServiceCategory.SPECIALTY_REFERRAL,
    "4": ServiceCategory.IMAGING,
    "5": ServiceCategory.LABORATORY,
    "12": ServiceCategory.DME,
    "18": ServiceCategory.DME,
    "42": ServiceCategory.HOME_HEALTH,
    "44": ServiceCategory.HOME_HEALTH,
    "48": ServiceCategory.INPATIENT_ADMISSION,
    "AD": ServiceCategory.POST_ACUTE,
    "AG": ServiceCategory.POST_ACUTE,
    "98": ServiceCategory.PRIMARY_CARE_FOLLOW_UP,
}
ADMISSION_REQUEST_TYPES = {"AR"}  # X12 1525 "Admission Review"
# X12 1322 certification types: 3 is a cancel; 4 (extension) and R (renewal) continue care.
CANCEL, CONTINUING = "3", {"4", "R"}


@dataclass
class Item:
    sequence: int
    code_system: str
    code: str
    units: int
    start_date: date | None
    end_date: date | None
    category: str
    place_of_service: str
    certification_type: str
    request_type: str
    info_changed: str
    cancelled: bool
    trace_numbers: list = field(default_factory=list)
    source: dict = field(default_factory=dict)


@dataclass
class PasRequest:
    bundle: dict
    claim: dict
    claim_full_url: str
    entries: dict  # fullUrl -> resource
    patient: dict
    patient_url: str
    insurer_url: str
    requestor_url: str
    member_ids: list
    birth_date: date | None
    requester_npi: str
    servicer_npi: str
    urgency: str
    level_of_service: str
    certification_type: str
    diagnoses: list
    items: list
    notes: list
    related: list  # identifiers of the prior Claim(s) this one updates
    documents: list  # (name, content type, bytes, description)
    assumptions: list = field(default_factory=list)

    @property
    def claim_identifiers(self) -> list[dict]:
        return self.claim.get("identifier") or []

    @property
    def is_update(self) -> bool:
        return bool(self.related) or self.certification_type == CANCEL

    @property
    def is_cancel(self) -> bool:
        return self.certification_type == CANCEL and not any(not i.cancelled for i in self.items)


def _fail(message: str, *, code: str = "invalid", expression: str | None = None, status: int = 400):
    raise FhirError(message, code=code, expression=expression, status=status)


def bundle_structure_check(payload, *, what: str = "PAS request") -> dict:
    """The payload as a FHIR Bundle (JSON), or a `structure` OperationOutcome."""
    if not isinstance(payload, dict) or payload.get("resourceType") != "Bundle":
        found = payload.get("resourceType") if isinstance(payload, dict) else type(payload).__name__
        _fail(
            f"Send a {what} Bundle (resourceType Bundle); this is {found or 'not a FHIR resource'}.",
            code="structure",
            expression="Bundle",
        )
    entries = payload.get("entry")
    if isinstance(entries, list) and len(entries) > settings.PAS_MAX_BUNDLE_ENTRIES:
        _fail(
            f"The Bundle holds {len(entries)} entries; at most {settings.PAS_MAX_BUNDLE_ENTRIES} are accepted.",
            code="too-costly",
            expression="Bundle.entry",
            status=413,
        )
    try:
        Bundle.model_validate(payload)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if not str(p).startswith("function"))
        _fail(f"The Bundle is not valid FHIR: {where}: {first.get('msg')}.", code="structure", expression="Bundle")
    return payload


def parameters_unwrap(payload) -> dict:
    """$inquire and $submit take the Bundle itself or a Parameters with it as `resource`."""
    if isinstance(payload, dict) and payload.get("resourceType") == "Parameters":
        try:
            Parameters.model_validate(payload)
        except PydanticValidationError:
            _fail("The Parameters resource is not valid FHIR.", code="structure", expression="Parameters")
        for parameter in payload.get("parameter") or []:
            if parameter.get("name") == "resource" and isinstance(parameter.get("resource"), dict):
                return parameter["resource"]
        _fail("Parameters must carry the Bundle as the parameter named 'resource'.", code="required")
    return payload


class Resolver:
    """References inside a Bundle, resolved as FHIR resolves them (R4 Bundle, 'Resolving
    references in Bundles'): an absolute URL or urn matches a fullUrl; a relative
    `Type/id` matches the entry whose fullUrl ends with it, or the resource of that type
    and id."""

    def __init__(self, bundle: dict):
        self.by_url: dict[str, dict] = {}
        self.url_of: dict[int, str] = {}
        self.by_type_id: dict[str, tuple[str, dict]] = {}
        for index, entry in enumerate(bundle.get("entry") or []):
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                _fail(f"Bundle.entry[{index}] has no resource.", code="required", expression=f"Bundle.entry[{index}]")
            url = entry.get("fullUrl") or f"urn:uuid:entry-{index}"
            self.by_url[url] = resource
            self.url_of[id(resource)] = url
            if resource.get("id"):
                self.by_type_id[f"{resource['resourceType']}/{resource['id']}"] = (url, resource)

    def resolve(self, reference: dict | None) -> tuple[str, dict] | None:
        ref = (reference or {}).get("reference") if isinstance(reference, dict) else None
        if not ref:
            return None
        if ref in self.by_url:
            return ref, self.by_url[ref]
        if ref in self.by_type_id:
            return self.by_type_id[ref]
        tail = "/".join(ref.rstrip("/").split("/")[-2:])
        found = self.by_type_id.get(tail)
        return found

    def need(self, reference, what: str, expression: str) -> tuple[str, dict]:
        found = self.resolve(reference)
        if found is None:
            ref = (reference or {}).get("reference") if isinstance(reference, dict) else None
            _fail(
                f"The {what} reference ({ref or 'missing'}) does not point to a resource in the Bundle.",
                code="required" if not ref else "invalid",
                expression=expression,
            )
        return found

    def url(self, resource: dict) -> str:
        return self.url_of[id(resource)]

    def of_type(self, resource_type: str) -> list[dict]:
        return [r for r in self.by_url.values() if r.get("resourceType") == resource_type]


def _ext(element: dict, url: str):
    for extension in element.get("extension") or []:
        if extension.get("url") == url:
            return extension
    return None


def _code(concept: dict | None, system: str | None = None) -> str:
    for coding in (concept or {}).get("coding") or []:
        if (system is None or coding.get("system") == system) and coding.get("code"):
            return str(coding["code"])
    return ""


def _ext_code(element: dict, url: str) -> str:
    extension = _ext(element, url)
    return _code(extension.get("valueCodeableConcept")) if extension else ""


def _day(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        _fail(f"'{value}' is not a FHIR date.", code="value")


def _period(value: dict | None) -> tuple[date | None, date | None]:
    if not value:
        return None, None
    start, end = _day(value.get("start")), _day(value.get("end"))
    return start or end, end or start


def _npi(resource: dict) -> str:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == NPI_SYSTEM and identifier.get("value"):
            return str(identifier["value"]).strip()
    return ""


class _Reader:
    def __init__(self, bundle: dict):
        self.bundle = bundle
        self.resolver = Resolver(bundle)
        self.assumptions: list[str] = []

    def provider_npi(self, reference, what: str, expression: str) -> tuple[str, str, dict]:
        """(NPI, fullUrl, resource) of a Practitioner, Organization or PractitionerRole."""
        url, resource = self.resolver.need(reference, what, expression)
        kind = resource.get("resourceType")
        if kind in ("Practitioner", "Organization"):
            npi = _npi(resource)
        elif kind == "PractitionerRole":
            npi = ""
            for ref_name in ("practitioner", "organization"):
                found = self.resolver.resolve(resource.get(ref_name))
                if found is not None and _npi(found[1]):
                    npi = _npi(found[1])
                    break
            if not npi and resource.get("practitioner"):
                # Tolerated: the guide's own Surgical example points its PractitionerRole at a
                # Practitioner missing from the Bundle. With exactly one Practitioner there, it is
                # the one meant; the assumption is recorded on the case.
                practitioners = [p for p in self.resolver.of_type("Practitioner") if _npi(p)]
                if len(practitioners) == 1:
                    npi = _npi(practitioners[0])
                    self.assumptions.append(
                        f"The {what}'s PractitionerRole points at {resource['practitioner'].get('reference')}, "
                        f"which is not in the Bundle; the Bundle's only Practitioner (NPI {npi}) was used."
                    )
        else:
            _fail(
                f"The {what} must be a Practitioner, PractitionerRole or Organization, not {kind}.",
                expression=expression,
            )
        if not npi:
            _fail(f"The {what} has no NPI identifier (system {NPI_SYSTEM}).", code="required", expression=expression)
        return npi, url, resource

    def request_dates(self, item: dict) -> tuple[date | None, date | None, dict]:
        extension = _ext(item, EXT_REQUESTED_SERVICE)
        found = self.resolver.resolve(extension.get("valueReference")) if extension else None
        if found is None:
            return None, None, {}
        resource = found[1]
        kind = resource.get("resourceType")
        if kind == "ServiceRequest" or kind == "DeviceRequest":
            if resource.get("occurrencePeriod"):
                return (*_period(resource["occurrencePeriod"]), resource)
            day = _day(resource.get("occurrenceDateTime"))
            timing = (resource.get("occurrenceTiming") or {}).get("repeat", {}).get("boundsPeriod")
            if day is None and timing:
                return (*_period(timing), resource)
            return day, day, resource
        if kind == "MedicationRequest":
            validity = (resource.get("dispenseRequest") or {}).get("validityPeriod")
            if validity:
                return (*_period(validity), resource)
            day = _day(resource.get("authoredOn"))
            return day, day, resource
        if kind == "NutritionOrder":
            for part in ("oralDiet", "enteralFormula"):
                for schedule in (resource.get(part) or {}).get("schedule") or []:
                    bounds = (schedule.get("repeat") or {}).get("boundsPeriod")
                    if bounds:
                        return (*_period(bounds), resource)
            day = _day(resource.get("dateTime"))
            return day, day, resource
        if kind == "Encounter":
            return (*_period(resource.get("period")), resource)
        return None, None, resource

    def claim_dates(self, claim: dict) -> tuple[date | None, date | None]:
        extension = _ext(claim, EXT_ENCOUNTER)
        found = self.resolver.resolve(extension.get("valueReference")) if extension else None
        if found is not None and found[1].get("period"):
            return _period(found[1]["period"])
        for info in claim.get("supportingInfo") or []:
            if _code(info.get("category")) == "admissionDates" and info.get("timingPeriod"):
                return _period(info["timingPeriod"])
        if claim.get("billablePeriod"):
            return _period(claim["billablePeriod"])
        return None, None

    def product(self, item: dict, sequence: int) -> tuple[str, str]:
        for coding in (item.get("productOrService") or {}).get("coding") or []:
            system, code = coding.get("system"), str(coding.get("code") or "").strip().upper()
            if system not in PRODUCT_SYSTEMS or not code:
                continue
            portal_system = PRODUCT_SYSTEMS[system]
            if portal_system == "NDC":
                code = code.replace("-", "")
            if portal_system == "HCPCS" and code[:1].isdigit() and len(code) == 5:
                # HCPCS Level I is CPT: a five-character code starting with a digit sent under
                # the HCPCS system (as the guide's own examples do) is read as CPT.
                self.assumptions.append(f"Item {sequence}: {code} was sent as HCPCS; read as CPT (HCPCS Level I).")
                portal_system = "CPT"
            return portal_system, code
        systems = ", ".join(
            sorted({c.get("system") or "none" for c in (item.get("productOrService") or {}).get("coding") or []})
        )
        _fail(
            f"Item {sequence}: productOrService needs a code from CPT, HCPCS, X12 service types, ICD-10-PCS "
            f"or NDC (got {systems or 'no coding'}).",
            code="code-invalid",
            expression=f"Claim.item[{sequence - 1}].productOrService",
        )

    def items(self, claim: dict) -> list[Item]:
        claim_start, claim_end = self.claim_dates(claim)
        items = []
        for index, item in enumerate(claim.get("item") or []):
            sequence = item.get("sequence")
            if not isinstance(sequence, int) or sequence < 1:
                _fail(
                    f"Claim.item[{index}] needs a positive sequence.",
                    code="required",
                    expression=f"Claim.item[{index}]",
                )
            code_system, code = self.product(item, sequence)
            if item.get("servicedPeriod"):
                start, end = _period(item["servicedPeriod"])
                source = {}
            elif item.get("servicedDate"):
                start = end = _day(item["servicedDate"])
                source = {}
            else:
                start, end, source = self.request_dates(item)
            if start is None and claim_start is not None:
                start, end = claim_start, claim_end
            request_type = _ext_code(item, EXT_REQUEST_TYPE)
            category_code = _code(item.get("category"), X12_SERVICE_TYPE) or _code(item.get("category"))
            if request_type in ADMISSION_REQUEST_TYPES:
                category = ServiceCategory.INPATIENT_ADMISSION
            elif category_code in ServiceCategory.values:
                category = category_code
            elif category_code in X12_SERVICE_CATEGORIES:
                category = X12_SERVICE_CATEGORIES[category_code]
            else:
                category = ServiceCategory.OUTPATIENT_PROCEDURE
                self.assumptions.append(
                    f"Item {sequence}: service type {category_code or 'missing'} read as an outpatient procedure."
                )
            quantity = (item.get("quantity") or {}).get("value")
            if quantity is None:
                quantity = ((source or {}).get("quantityQuantity") or {}).get("value")
            units = int(quantity) if quantity else 1
            changed = _ext(item, EXT_INFO_CHANGED)
            cancelled = any(
                e.get("url") == EXT_INFO_CANCELLED and e.get("valueBoolean")
                for e in item.get("modifierExtension") or []
            )
            certification_type = _ext_code(item, EXT_CERTIFICATION_TYPE)
            trace = _ext(item, EXT_ITEM_TRACE)
            items.append(
                Item(
                    sequence=sequence,
                    code_system=code_system,
                    code=code,
                    units=max(units, 1),
                    start_date=start,
                    end_date=end,
                    category=category,
                    place_of_service=_code(item.get("locationCodeableConcept"), POS_SYSTEM),
                    certification_type=certification_type,
                    request_type=request_type,
                    info_changed=(changed or {}).get("valueCode", ""),
                    cancelled=cancelled or certification_type == CANCEL,
                    trace_numbers=[trace["valueIdentifier"]] if trace and trace.get("valueIdentifier") else [],
                )
            )
        sequences = [i.sequence for i in items]
        if len(set(sequences)) != len(sequences):
            _fail("Claim.item sequences must be unique.", expression="Claim.item.sequence")
        return items

    def documents(self, claim: dict) -> list[tuple[str, str, bytes, str]]:
        """Attachments carried in the Bundle: supportingInfo pointing at a DocumentReference
        (inline data or a Binary in the Bundle), a Binary, or an inline Attachment."""
        documents = []
        for info in claim.get("supportingInfo") or []:
            description = ""
            information = _ext(info, EXT_DOCUMENT_INFORMATION)
            for part in (information or {}).get("extension") or []:
                if part.get("url") == "description":
                    description = part.get("valueString", "")
            attachments = []
            if info.get("valueAttachment"):
                attachments.append(info["valueAttachment"])
            found = self.resolver.resolve(info.get("valueReference"))
            if info.get("valueReference") and found is None:
                _fail(
                    f"supportingInfo {info.get('sequence')}: {info['valueReference'].get('reference')} "
                    "is not in the Bundle.",
                    expression="Claim.supportingInfo.valueReference",
                )
            if found is not None and found[1].get("resourceType") == "DocumentReference":
                description = description or found[1].get("description", "")
                attachments.extend(c.get("attachment") or {} for c in found[1].get("content") or [])
            elif found is not None and found[1].get("resourceType") == "Binary":
                attachments.append({"contentType": found[1].get("contentType"), "data": found[1].get("data")})
            for attachment in attachments:
                data = attachment.get("data")
                if not data and attachment.get("url"):
                    binary = self.resolver.resolve({"reference": attachment["url"]})
                    data = binary[1].get("data") if binary and binary[1].get("resourceType") == "Binary" else None
                if not data:
                    continue
                try:
                    content = base64.b64decode(data, validate=True)
                except (binascii.Error, ValueError):
                    _fail("An attachment's data is not base64.", code="value", expression="Attachment.data")
                name = attachment.get("title") or f"supporting-info-{info.get('sequence')}"
                documents.append((name, attachment.get("contentType") or "", content, description))
        return documents


def pas_request_read(payload) -> PasRequest:
    """A PAS request Bundle read into a PasRequest, or FhirError (4xx) saying what is wrong."""
    bundle = bundle_structure_check(parameters_unwrap(payload))
    reader = _Reader(bundle)
    entries = bundle.get("entry") or []
    claims = [e.get("resource") for e in entries if (e.get("resource") or {}).get("resourceType") == "Claim"]
    if not claims:
        _fail("The Bundle holds no Claim.", code="required", expression="Bundle.entry")
    # The profile puts the Claim first; an update Bundle also carries the prior Claim it replaces.
    claim = entries[0]["resource"] if entries[0]["resource"].get("resourceType") == "Claim" else claims[0]
    if claim.get("use") != "preauthorization":
        _fail("The Claim's use must be 'preauthorization'.", code="value", expression="Claim.use")
    if not claim.get("item") and claim.get("related") is None:
        _fail("The Claim has no item: list the services requested.", code="required", expression="Claim.item")
    patient_url, patient = reader.resolver.need(claim.get("patient"), "patient", "Claim.patient")
    if patient.get("resourceType") != "Patient":
        _fail("Claim.patient must reference a Patient.", expression="Claim.patient")
    insurer_url, _insurer = reader.resolver.need(claim.get("insurer"), "insurer", "Claim.insurer")
    requester_npi, requestor_url, _ = reader.provider_npi(claim.get("provider"), "provider", "Claim.provider")
    servicer_npi = requester_npi
    care_team = sorted(
        claim.get("careTeam") or [],
        key=lambda member: not any(e.get("valueBoolean") for e in member.get("extension") or []),
    )
    if care_team:
        servicer_npi, _, _ = reader.provider_npi(care_team[0].get("provider"), "careTeam.provider", "Claim.careTeam")

    member_ids: list[str] = []
    for insurance in claim.get("insurance") or []:
        found = reader.resolver.resolve(insurance.get("coverage"))
        if insurance.get("coverage", {}).get("reference") and found is None:
            _fail("Claim.insurance.coverage does not point to a Coverage in the Bundle.", expression="Claim.insurance")
        if found is not None:
            coverage = found[1]
            member_ids += [coverage.get("subscriberId")] + [i.get("value") for i in coverage.get("identifier") or []]
    member_ids += [i.get("value") for i in patient.get("identifier") or []]
    member_ids = [str(v).strip().upper() for v in member_ids if v]

    diagnoses = []
    for diagnosis in claim.get("diagnosis") or []:
        code = _code(diagnosis.get("diagnosisCodeableConcept"), ICD10_CM)
        if code:
            diagnoses.append(code)
        else:
            reader.assumptions.append("A diagnosis not coded in ICD-10-CM was not recorded.")
    level = _ext_code(claim, EXT_LEVEL_OF_SERVICE)
    priority = _code(claim.get("priority"))
    urgency = "expedited" if level == "U" or priority == "stat" else "standard"
    notes = [i["valueString"] for i in claim.get("supportingInfo") or [] if i.get("valueString")]
    related = []
    for relation in claim.get("related") or []:
        if relation.get("reference"):
            related.append(relation["reference"])
        found = reader.resolver.resolve(relation.get("claim"))
        if found is not None:
            related.extend(found[1].get("identifier") or [])
        elif (relation.get("claim") or {}).get("identifier"):
            related.append(relation["claim"]["identifier"])
    items = reader.items(claim)
    certification_type = _ext_code(claim, EXT_CERTIFICATION_TYPE)
    if not certification_type and items and all(i.certification_type == CANCEL for i in items):
        certification_type = CANCEL
    return PasRequest(
        bundle=bundle,
        claim=claim,
        claim_full_url=reader.resolver.url(claim),
        entries=reader.resolver.by_url,
        patient=patient,
        patient_url=patient_url,
        insurer_url=insurer_url,
        requestor_url=requestor_url,
        member_ids=list(dict.fromkeys(member_ids)),
        birth_date=_day(patient.get("birthDate")),
        requester_npi=requester_npi,
        servicer_npi=servicer_npi,
        urgency=urgency,
        level_of_service=level,
        certification_type=certification_type,
        diagnoses=diagnoses,
        items=items,
        notes=notes,
        related=related,
        documents=reader.documents(claim),
        assumptions=reader.assumptions,
    )
