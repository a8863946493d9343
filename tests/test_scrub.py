from respcompat.scrub import REDACTED, scrub_headers, scrub_json, scrub_text, scrub_url

KEY = "sk-abcdefghijklmnopqrstuvwxyz0123456789"


def test_bearer_tokens_and_key_shapes_are_redacted_in_text():
    text = f'Authorization: Bearer {KEY}\n{{"api_key": "{KEY}"}} and a bare {KEY}'
    out = scrub_text(text)
    assert KEY not in out and out.count(REDACTED) == 3


def test_explicit_secret_values_are_redacted_whatever_their_shape():
    assert "zz-custom-secret" not in scrub_text("x zz-custom-secret y", extra_secrets=["zz-custom-secret"])


def test_secret_headers_are_redacted_and_others_kept():
    h = scrub_headers({"Authorization": "Bearer x", "x-api-key": ["a", "b"], "content-type": "application/json"})
    assert h == {"Authorization": REDACTED, "x-api-key": [REDACTED, REDACTED], "content-type": "application/json"}


def test_key_query_parameters_are_redacted():
    assert (
        scrub_url("https://h/v1/responses?api_key=secret123&limit=2")
        == "https://h/v1/responses?api_key=REDACTED&limit=2"
    )


def test_secret_fields_in_json_bodies_are_redacted():
    assert scrub_json({"a": {"api_key": "secret"}, "b": [f"Bearer {KEY}"]}) == {
        "a": {"api_key": REDACTED},
        "b": [f"Bearer {REDACTED}"],
    }
