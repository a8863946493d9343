from types import SimpleNamespace

from respcompat.classify import classify
from respcompat.findings import CONTRADICTION, DOCUMENTED, UNDOCUMENTED, Finding

PROFILE = SimpleNamespace(
    name="acme",
    contract="acme",
    docs={"ACME-REF": {"url": "https://acme.example/ref"}, "ACME-OLD": {"url": "https://acme.example/old"}},
    deviations=[
        {
            "check": "timestamps.units",
            "when": {"endpoint": "input_items", "pointer": "/created_at"},
            "source": "ACME-REF",
            "note": "list created_at is in milliseconds",
        }
    ],
    contradictions=[
        {
            "id": "seq-on-every-event",
            "summary": "sequence_number on every event or not",
            "sides": [
                {"source": "ACME-REF", "says": "on every event"},
                {"source": "ACME-OLD", "says": "only on tool events"},
            ],
            "checks": [{"check": "stream.sequence_number", "when": {"event_type": "response.output_text.delta"}}],
        }
    ],
)


def _finding(check, pointer="/created_at"):
    return Finding(check=check, pointer=pointer, message="m")


def test_semantic_finding_matching_a_documented_deviation_is_documented():
    f = classify(_finding("timestamps.units"), PROFILE, endpoint="input_items")
    assert f.classification == DOCUMENTED
    assert "https://acme.example/ref" in f.source


def test_same_finding_on_another_endpoint_is_undocumented():
    assert classify(_finding("timestamps.units"), PROFILE, endpoint="create").classification == UNDOCUMENTED


def test_finding_matching_a_contradiction_names_both_documents():
    f = classify(
        _finding("stream.sequence_number", "/sequence_number"), PROFILE, "create", "response.output_text.delta"
    )
    assert f.classification == CONTRADICTION
    assert "ACME-REF" in f.source and "ACME-OLD" in f.source


def test_contradiction_rule_does_not_match_other_event_types():
    f = classify(_finding("stream.sequence_number", "/sequence_number"), PROFILE, "create", "response.completed")
    assert f.classification == UNDOCUMENTED


def test_openai_provider_makes_every_finding_undocumented():
    openai = SimpleNamespace(
        name="openai", contract="openai", docs={}, deviations=PROFILE.deviations, contradictions=[]
    )
    assert classify(_finding("timestamps.units"), openai, endpoint="input_items").classification == UNDOCUMENTED


def test_schema_findings_keep_their_classification():
    f = _finding("schema.response")
    f.classification = DOCUMENTED
    assert classify(f, PROFILE).classification == DOCUMENTED
