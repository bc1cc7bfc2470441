"""Synthetic demo data and the demo logins. Idempotent: running it twice changes nothing.

All people, numbers and addresses here are invented. Refuses to run with DEBUG off
unless --force is given, so it never lands in a production database by accident.
"""

import os
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.demo_data import (
    ADMITTED_MEMBERS,
    CASE_PLAN,
    CONTRACTS,
    CRITERIA,
    LICENSES,
    MEMBERS,
    ORGANIZATIONS,
    PRACTITIONERS,
    REFERRAL_UNIT,
    SUPERVISORS,
    USERS,
)
from cases.models import (
    AuthorizationRequest,
    CaseStatus,
    Coverage,
    InpatientStay,
    Member,
    PlanContract,
    Practitioner,
    ProviderAgreement,
    ProviderOrganization,
)
from cases.services.directory_csv import directory_csv_load
from cases.services.intake import case_create
from cases.services.providers import provider_user_attach
from criteria.models import CriteriaCode, CriteriaSet, CriteriaVersion
from reviews.models import PhysicianLicense
from reviews.reporting.public import metrics_publish
from reviews.reporting.rollups import rollup_rebuild_all
from reviews.services.assignment import case_assign
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from reviews.services.pends import case_pend, case_route_to_physician
from reviews.services.provider_requests import case_withdraw
from reviews.services.referrals import referral_review_open
from reviews.services.worksheets import worksheet_save
from um_portal.models import User
from um_portal.roles import REFERRAL_UNIT_GROUP, Role, user_set_role, user_set_supervisor, user_unit_set

# (member, principal diagnosis, admission in plain words, days since admission)
DEMO_STAYS = [
    ("M100012", "I50.9", "Inpatient admission for heart failure", 3),
    ("M100002", "J18.9", "Inpatient admission for pneumonia", 2),
]

# The out-of-network cardiologist of the demo directory (Severn Valley Cardiology).
DEMO_OUT_OF_NETWORK_CARDIOLOGIST = "1300000084"
# The demo provider directory (issue 20), in the CSV format of cases.services.directory_csv.
DIRECTORY_CSV = Path(__file__).resolve().parents[2] / "demo_directory.csv"

DEFAULT_DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 (documented demo password, DEBUG only)


class Command(BaseCommand):
    help = "Load synthetic demo data and the demo logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off. Use --force only on a throwaway database.")
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        with transaction.atomic():
            orgs = self._organizations()
            self._directory()
            practitioners = self._practitioners(orgs)
            users = self._users(orgs, password)
            members = self._members()
            self._stays(members, orgs)
            criteria = self._criteria()
            created = self._cases(members, orgs, practitioners, users, criteria, password)
            self._referral_reviews(members, orgs, practitioners, users)
            self._concurrent_stays(members, orgs, practitioners, users)
            self._contracts()
        # The dashboard's rollups and the public report, so they show the demo cases at once.
        rollup_rebuild_all()
        metrics_publish(year=timezone.localdate().year, force=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} logins, {len(members)} members, "
                f"{AuthorizationRequest.objects.count()} cases ({created} new)."
            )
        )

    def _directory(self) -> None:
        """The provider directory (issue 20): in-network cardiologists near the Baltimore
        members (a plan medical center, two contracted practices), an out-of-network one in
        Annapolis, the imaging center's services and a laboratory, and a location with a
        contracted network period for each demo practice that holds a provider agreement
        (the lapsed one's period ends with its agreement), so their ordinary referrals are
        in network and do not land in the referral management queue; loaded through the
        same CSV load administrators use (cases/demo_directory.csv; loading it again changes
        nothing)."""
        report = directory_csv_load(text=DIRECTORY_CSV.read_text(encoding="utf-8"))
        if report.rejected:
            raise CommandError(f"The demo directory has a bad row: {report.rejected[0]}")
        # Each holds a provider agreement, so the intake takes requests to it; the network
        # periods alone say who is in network (Severn Valley Cardiology is not).
        for organization in ProviderOrganization.objects.filter(locations__isnull=False).distinct():
            if not organization.agreements.exists():
                ProviderAgreement.objects.create(organization=organization, effective_date=date(2020, 1, 1))

    def _organizations(self) -> dict[str, ProviderOrganization]:
        orgs = {}
        for key, name, npi, tin, kind, state in ORGANIZATIONS:
            org, _ = ProviderOrganization.objects.get_or_create(
                npi=npi, defaults={"name": name, "tin": tin, "kind": kind, "state": state, "phone": "410-555-0100"}
            )
            orgs[key] = org
            if key == "lapsed":
                ProviderAgreement.objects.get_or_create(
                    organization=org,
                    effective_date=date(2020, 1, 1),
                    defaults={"end_date": date(2025, 6, 30), "end_reason": ProviderAgreement.EndReason.EXPIRATION},
                )
            else:
                ProviderAgreement.objects.get_or_create(organization=org, effective_date=date(2020, 1, 1))
        return orgs

    def _practitioners(self, orgs) -> dict[str, Practitioner]:
        result = {}
        for npi, first, last, credentials, specialty, org_key in PRACTITIONERS:
            practitioner, _ = Practitioner.objects.get_or_create(
                npi=npi,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "credentials": credentials,
                    "specialty": specialty,
                    "organization": orgs[org_key],
                },
            )
            result[org_key] = result.get(org_key) or practitioner
        return result

    def _users(self, orgs, password: str) -> dict[str, User]:
        users = {}
        for username, first, last, credentials, role, org_key in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "credentials": credentials,
                    "email": f"{username}@um-portal.example",
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if org_key:
                provider_user_attach(user=user, organization=orgs[org_key])
            else:
                user_set_role(user=user, role=role)
            users[username] = user
        for username in SUPERVISORS:
            user_set_supervisor(user=users[username])
        for username in REFERRAL_UNIT:
            user_unit_set(user=users[username], unit=REFERRAL_UNIT_GROUP)
        for username, licenses in LICENSES.items():
            for state, number in licenses:
                PhysicianLicense.objects.get_or_create(
                    state=state,
                    number=number,
                    defaults={
                        "physician": users[username],
                        "issued_on": date(2015, 7, 1),
                        "expires_on": date(2028, 6, 30),
                        "board_certification": "American Board of Internal Medicine",
                    },
                )
        return users

    def _referral_reviews(self, members, orgs, practitioners, users) -> None:
        """Open referrals to an out-of-network provider go to the Referral Management Unit's
        queue, as the intake does for submitted ones (once per case: idempotent). For the
        `referrals` login: the orthopedic office's cardiology referral for Alice Marlowe
        (Baltimore) to Dr. Crane of Severn Valley Cardiology (Annapolis, out of network),
        with in-network cardiologists nearer (the demo directory)."""
        crane = Practitioner.objects.filter(npi=DEMO_OUT_OF_NETWORK_CARDIOLOGIST).first()
        if crane is not None and not AuthorizationRequest.objects.filter(servicing_practitioner=crane).exists():
            start = timezone.localdate() + timedelta(days=21)
            case_create(
                member=members["M100001"], requesting_organization=orgs["ortho"],
                requesting_practitioner=practitioners.get("ortho"), servicing_organization=crane.organization,
                servicing_practitioner=crane, service_category="specialty_referral", diagnosis_codes=["I50.22"],
                lines=[{"code_system": "CPT", "code": "99204", "units": 1, "start_date": start, "end_date": start,
                        "description": "New patient cardiology consultation"}],
                clinical_summary="Synthetic: chronic systolic heart failure; followed by Dr. Crane for years.",
                submitted_by=users["provider"],
            )  # fmt: skip
        for case in AuthorizationRequest.objects.filter(service_category="specialty_referral", referral_review=None):
            referral_review_open(case=case)

    def _members(self) -> dict[str, Member]:
        members = {}
        for number, first, last, dob, sex, city, state, zip_code, plan, lob, end in MEMBERS:
            member, created = Member.objects.get_or_create(
                member_number=number,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": dob,
                    "sex": sex,
                    "address_line1": f"{100 + int(number[-2:])} Demo Street",
                    "city": city,
                    "state": state,
                    "postal_code": zip_code,
                    "phone": f"410-555-{number[-4:]}",
                },
            )
            if created:
                Coverage.objects.create(
                    member=member,
                    plan_name=plan,
                    line_of_business=lob,
                    state=state,
                    effective_date=date(2024, 1, 1),
                    end_date=end,
                    premium_paid_through=end or date(timezone.localdate().year + 1, 12, 31),
                )
            members[number] = member
        return members

    def _contracts(self) -> None:
        for lob, number, name in CONTRACTS:
            contract, _ = PlanContract.objects.get_or_create(number=number, defaults={"program": lob, "name": name})
            Coverage.objects.filter(line_of_business=lob, contract=None).update(contract=contract)

    def _stays(self, members, orgs) -> None:
        now = timezone.now()
        for offset, number in enumerate(ADMITTED_MEMBERS):
            InpatientStay.objects.get_or_create(
                member=members[number],
                facility=orgs["hospital"],
                discharged_at=None,
                defaults={"admitted_at": now - timedelta(days=2 + offset)},
            )

    def _criteria(self) -> dict[str, CriteriaVersion]:
        by_code = {}
        for name, source, version, effective, text, indications, codes in CRITERIA:
            criteria_set, _ = CriteriaSet.objects.get_or_create(name=name, defaults={"source": source})
            criteria_version, _ = CriteriaVersion.objects.get_or_create(
                criteria_set=criteria_set,
                version=version,
                defaults={"effective_from": effective, "text": text, "indications": indications},
            )
            for system, code in codes:
                CriteriaCode.objects.get_or_create(criteria_set=criteria_set, code_system=system, code=code)
                by_code[code] = criteria_version
        return by_code

    def _cases(self, members, orgs, practitioners, users, criteria, password: str) -> int:
        if AuthorizationRequest.objects.filter(clinical_summary__startswith="[demo]").exists():
            return 0
        rng = random.Random(2026)  # noqa: S311 (deterministic demo data, not security)
        now = timezone.now()
        for index, row in enumerate(CASE_PLAN):
            number, category, system, code, description, dx, urgency, hours_ago, status, req, svc = row
            received = now - timedelta(hours=hours_ago, minutes=rng.randint(0, 59))
            start = timezone.localdate(received) + timedelta(days=14 + index)
            case = case_create(
                member=members[number],
                requesting_organization=orgs[req],
                requesting_practitioner=practitioners.get(req),
                servicing_organization=orgs[svc],
                servicing_practitioner=practitioners.get(svc) if svc != req else None,
                service_category=category,
                urgency=urgency,
                expedited_reason="Severe pain with progressive weakness." if urgency == "expedited" else "",
                diagnosis_codes=[dx],
                lines=[
                    {
                        "code_system": system,
                        "code": code,
                        "description": description,
                        "units": 1 if system == "CPT" else 6,
                        "start_date": start,
                        "end_date": start + timedelta(days=0 if system == "CPT" else 60),
                    }
                ],
                clinical_summary=f"[demo] {description}. Synthetic history: symptoms for several months; "
                "conservative treatment tried; see attached notes.",
                place_of_service="22" if category == "outpatient_procedure" else "11",
                received_at=received,
                submitted_by=users["provider"] if req == "ortho" else users["provider2"],
            )
            self._advance(case, status, users, criteria.get(code), password)
        return len(CASE_PLAN)

    def _concurrent_stays(self, members, orgs, practitioners, users) -> None:
        """Two approved inpatient admissions whose stays are due for concurrent review today
        (issue 19, item 2), opened through the decision service like any other."""
        if AuthorizationRequest.objects.filter(clinical_summary__startswith="[demo stay]").exists():
            return
        nurse = users["nurse"]
        for number, dx, description, days_ago in DEMO_STAYS:
            admitted = timezone.now() - timedelta(days=days_ago)
            start = timezone.localdate(admitted)
            case = case_create(
                member=members[number],
                requesting_organization=orgs["hospital"],
                requesting_practitioner=practitioners.get("hospital"),
                servicing_organization=orgs["hospital"],
                service_category="inpatient_admission",
                urgency="expedited",
                expedited_reason="Admitted through the emergency department.",
                diagnosis_codes=[dx],
                lines=[
                    {
                        "code_system": "CPT",
                        "code": "99223",
                        "description": description,
                        "units": days_ago,
                        "start_date": start,
                        "end_date": start + timedelta(days=days_ago - 1),
                    }
                ],
                clinical_summary=f"[demo stay] {description}. Synthetic admission notice.",
                place_of_service="21",
                received_at=admitted,
            )
            case_approve(case_id=case.pk, actor=nurse, rationale="Inpatient criteria met on admission.")
            # Demo only: due today whatever the day, so the queue has something to show.
            InpatientStay.objects.filter(case=case).update(
                next_review_on=timezone.localdate(),
                discharge_planning_notes="Case manager: lives alone; home health referral started.",
            )

    def _advance(self, case, status, users, criteria_version, password: str) -> None:
        """Walk the case to `status` through the same services the pages and API use, so
        the demo has real events, pinned criteria, notice deadlines and letters."""
        nurse, physician, provider = users["nurse"], users["physician"], users["provider"]
        if status == CaseStatus.RECEIVED:
            return
        if status == CaseStatus.WITHDRAWN:
            case_withdraw(case=case, user=provider, reason="Surgery postponed by the patient.")
            return
        case_assign(case_id=case.pk, actor=nurse)  # claiming starts the review
        if status == CaseStatus.IN_REVIEW:
            return
        if status == CaseStatus.PENDED:
            case_pend(
                reason_code="PD01",
                case_id=case.pk,
                actor=nurse,
                requested_information="The last 3 months of physical therapy notes and the most recent X-ray report.",
                respond_by=timezone.localdate() + timedelta(days=5),
            )
            return
        criteria_ids = [criteria_version.pk] if criteria_version else []
        if status == CaseStatus.APPROVED:
            case_approve(case_id=case.pk, actor=nurse, rationale="Meets the criteria.", criteria_ids=criteria_ids)
            return
        case_route_to_physician(
            case_id=case.pk, actor=nurse, note="Criteria not clearly met: physician review.", physician=physician
        )
        if criteria_version is not None and criteria_version.indications:
            # The physician's worksheet: the adverse letters list what it found unmet.
            worksheet_save(
                case_id=case.pk,
                actor=physician,
                answers=[
                    {"criteria_id": criteria_version.pk, "index": index, "answer": "not_met" if index == 0 else "met",
                     "note": "Not shown in the clinic notes." if index == 0 else "In the clinic notes."}
                    for index in range(len(criteria_version.indications))
                ],
            )  # fmt: skip
        if status == CaseStatus.DENIED:
            case_deny(
                reason_code="MN01",
                case_id=case.pk,
                actor=physician,
                basis="medical_necessity",
                reason=(
                    "The notes show 4 weeks of physical therapy; the criteria ask for at least 12 weeks of "
                    "conservative treatment before this service."
                ),
                criteria_ids=criteria_ids,
                password=password,
            )
        elif status == CaseStatus.PARTIALLY_APPROVED:
            line = case.lines.get()
            case_partially_approve(
                reason_code="MN03",
                case_id=case.pk,
                actor=physician,
                reason="Six visits were requested; the functional assessment supports three.",
                criteria_ids=criteria_ids,
                lines=[{"id": str(line.pk), "approved_units": max(1, line.units // 2)}],
                password=password,
            )
