"""The clinical-intent check (issue 20, item 3) reads the shipped mapping (data, in the
database, kept in the admin): a service that does not fit the diagnoses or the specialty is a
question for the nurse, never a denial."""

import pytest

from reviews.models import ClinicalIntentRule
from reviews.referral_intent import intent_flags

pytestmark = pytest.mark.django_db
CARDIOLOGY, DERMATOLOGY = "207RC0000X", "207N00000X"


def _codes(**kwargs) -> list[str]:
    return [f.code for f in intent_flags(**kwargs)]


def test_a_cardiology_consultation_for_coronary_disease_fits():
    assert _codes(specialty=CARDIOLOGY, specialty_name="Cardiology", diagnoses=["I25.10"],
                  lines=[("CPT", "99204", "Consultation")]) == []  # fmt: skip


def test_an_echocardiogram_for_psoriasis_by_a_cardiologist_is_flagged_twice():
    flags = intent_flags(specialty=CARDIOLOGY, specialty_name="Cardiology", diagnoses=["L40.0"],
                         lines=[("CPT", "93306", "Echocardiogram")])  # fmt: skip

    assert [f.code for f in flags] == ["specialty_diagnosis", "service_diagnosis"]
    assert "Cardiology does not usually treat the diagnoses given (L40.0)" in flags[0].message
    assert "93306 (Echocardiogram)" in flags[1].message


def test_a_knee_replacement_sent_to_a_dermatologist_is_a_service_of_another_specialty():
    flags = intent_flags(specialty=DERMATOLOGY, specialty_name="Dermatology", diagnoses=["M17.11"],
                         lines=[("CPT", "27447", "Total knee replacement")])  # fmt: skip

    assert [f.code for f in flags] == ["specialty_diagnosis", "service_specialty"]
    assert "usually done by Orthopaedic Surgery, not Dermatology" in flags[1].message


def test_unknown_specialty_codes_or_no_diagnoses_raise_no_question():
    assert _codes(specialty="", specialty_name="", diagnoses=["I25.10"], lines=[("CPT", "99204", "")]) == []
    assert _codes(specialty=CARDIOLOGY, specialty_name="Cardiology", diagnoses=[], lines=[("CPT", "99204", "")]) == []
    assert _codes(specialty=CARDIOLOGY, specialty_name="Cardiology", diagnoses=["I25.10"],
                  lines=[("HCPCS", "E0601", "CPAP")]) == []  # fmt: skip


def test_the_mapping_is_data_an_administrator_changes():
    ClinicalIntentRule.objects.filter(specialty=DERMATOLOGY).update(diagnosis_ranges="L00-L99 M00-M99")

    assert _codes(specialty=DERMATOLOGY, specialty_name="Dermatology", diagnoses=["M17.11"],
                  lines=[("CPT", "99204", "")]) == []  # fmt: skip
    ClinicalIntentRule.objects.all().update(active=False)
    assert _codes(specialty=CARDIOLOGY, specialty_name="Cardiology", diagnoses=["L40.0"],
                  lines=[("CPT", "93306", "")]) == []  # fmt: skip


def test_a_rule_range_must_be_whole():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ClinicalIntentRule.objects.create(specialty=CARDIOLOGY, specialty_name="C", diagnosis_ranges="I00-I99",
                                          code_from="93799", code_to="93000")  # fmt: skip
