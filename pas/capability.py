"""`GET /fhir/metadata`: the CapabilityStatement of what this server really does. A test
walks it and calls every interaction and operation it lists."""

from django.conf import settings

PAS_IG = "http://hl7.org/fhir/us/davinci-pas/ImplementationGuide/hl7.fhir.us.davinci-pas"
PAS_SD = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
PAS_OP = "http://hl7.org/fhir/us/davinci-pas/OperationDefinition/"
SOFTWARE_VERSION = "2.2.1-um-portal"


def capability_statement(*, base: str, token_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": settings.PAS_CAPABILITY_DATE,
        "publisher": settings.PLAN_NAME,
        "kind": "instance",
        "software": {"name": "UM Portal", "version": SOFTWARE_VERSION},
        "implementation": {"description": f"{settings.PLAN_NAME} prior authorization (Da Vinci PAS)", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "implementationGuide": [f"{PAS_IG}|2.2.1"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "cors": False,
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [{"url": "token", "valueUri": token_url}],
                        }
                    ],
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ],
                            "text": "SMART Backend Services (client credentials, private_key_jwt RS384/ES384)",
                        }
                    ],
                    "description": "SMART Backend Services bearer tokens (see /fhir/.well-known/smart-configuration), "
                    "or the portal's own Authorization: Token <token> from POST /api/v1/auth/token/.",
                },
                "resource": [
                    {
                        "type": "Claim",
                        "supportedProfile": [f"{PAS_SD}profile-claim|2.2.1", f"{PAS_SD}profile-claim-update|2.2.1"],
                        "operation": [
                            {"name": "submit", "definition": f"{PAS_OP}Claim-submit|2.2.1"},
                            {"name": "inquire", "definition": f"{PAS_OP}Claim-inquiry|2.2.1"},
                        ],
                    },
                    {
                        "type": "Subscription",
                        "supportedProfile": [f"{PAS_SD}profile-subscription|2.2.1"],
                        "interaction": [
                            {"code": "create"},
                            {"code": "read"},
                            {"code": "delete"},
                            {"code": "search-type"},
                        ],
                        "operation": [
                            {
                                "name": "status",
                                "definition": "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/"
                                "backport-subscription-status",
                            }
                        ],
                    },
                ],
            }
        ],
    }
