"""Questionnaire answers shared by the policy tests."""

# A plain AI system used as a vendor's product, answering "no" to everything else.
BASE = {
    "is_ai_system": True,
    "supply": "third_party",
    "own_name_or_brand": False,
    "substantial_modification": False,
    "purpose_changed": False,
    "uses_gpai": False,
    "proh_manipulation": False,
    "proh_vulnerabilities": False,
    "fraud_risk_scoring": False,
    "proh_social_scoring": False,
    "proh_crime_prediction": False,
    "biometric": False,
    "generates_content": False,
    "annex1_product": False,
    "critical_infrastructure": False,
    "annex3": [],
    "interacts_with_people": False,
}
