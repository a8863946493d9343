"""http.error_body: non-2xx answers carry OpenAI's error envelope."""

from planted.traffic import judge

B = "/response/body"


def test_openai_error_envelope_passes():
    assert judge("error_body", "http.error_body") == []


def test_success_is_not_judged_as_an_error():
    assert judge("text_body", "http.error_body") == []


def test_html_body_is_a_finding():
    ops = [
        {"op": "remove", "path": B},
        {"op": "insert", "path": "/response/raw_body", "value": "<html>502</html>"},
        {"op": "replace", "path": "/response/status", "value": 502},
    ]
    [f] = judge("error_body", "http.error_body", ops)
    assert f.pointer == "" and "HTML" in f.message


def test_empty_body_is_a_finding():
    [f] = judge(
        "error_body",
        "http.error_body",
        [{"op": "remove", "path": B}, {"op": "insert", "path": "/response/raw_body", "value": ""}],
    )
    assert "empty" in f.message


def test_error_code_must_be_a_string_or_null():
    [f] = judge("error_body", "http.error_body", [{"op": "replace", "path": f"{B}/error/code", "value": 400}])
    assert (f.pointer, f.actual) == ("/error/code", 400)


def test_body_only_recording_of_an_error_is_judged():
    ops = [{"op": "remove", "path": "/response/status"}, {"op": "remove", "path": f"{B}/error/message"}]
    [f] = judge("error_body", "http.error_body", ops)
    assert f.pointer == "/error/message"
