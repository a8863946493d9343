"""usage.arithmetic, timestamps.units, status.error_consistency on bodies and terminal events."""

from planted.traffic import judge

B = "/response/body"


def test_clean_bodies_pass_usage_timestamps_and_status():
    for base in ("text_body", "incomplete_body", "function_call_body", "input_items", "text_stream", "error_stream"):
        for cid in ("usage.arithmetic", "timestamps.units", "status.error_consistency"):
            assert judge(base, cid) == [], (base, cid)


def test_total_tokens_must_be_input_plus_output():
    [f] = judge("text_body", "usage.arithmetic", [{"op": "replace", "path": f"{B}/usage/total_tokens", "value": 40}])
    assert (f.pointer, f.expected, f.actual) == ("/usage/total_tokens", 43, 40)


def test_cached_tokens_cannot_exceed_input_tokens():
    [f] = judge(
        "text_body",
        "usage.arithmetic",
        [{"op": "replace", "path": f"{B}/usage/input_tokens_details/cached_tokens", "value": 99}],
    )
    assert f.pointer == "/usage/input_tokens_details/cached_tokens"


def test_reasoning_tokens_cannot_exceed_output_tokens_on_the_terminal_event():
    [f] = judge(
        "reasoning_stream",
        "usage.arithmetic",
        [
            {
                "op": "replace",
                "value": 999,
                "path": "/response/events/17/data/response/usage/output_tokens_details/reasoning_tokens",
            }
        ],
    )
    assert (f.event, f.pointer) == (17, "/response/usage/output_tokens_details/reasoning_tokens")


def test_token_counts_must_be_non_negative_integers():
    [f] = judge("text_body", "usage.arithmetic", [{"op": "replace", "path": f"{B}/usage/output_tokens", "value": -1}])
    assert f.pointer == "/usage/output_tokens"


def test_float_created_at_is_a_finding():
    [f] = judge("text_body", "timestamps.units", [{"op": "replace", "path": f"{B}/created_at", "value": 1767225600.0}])
    assert (f.pointer, f.actual) == ("/created_at", 1767225600.0)


def test_millisecond_created_at_is_a_finding():
    findings = judge(
        "incomplete_body", "timestamps.units", [{"op": "replace", "path": f"{B}/created_at", "value": 1767225600000}]
    )
    assert [f.pointer for f in findings] == ["/created_at"] and "milliseconds" in findings[0].message


def test_completed_at_cannot_precede_created_at():
    [f] = judge("text_body", "timestamps.units", [{"op": "replace", "path": f"{B}/completed_at", "value": 1767225599}])
    assert f.pointer == "/completed_at"


def test_failed_response_needs_an_error():
    [f] = judge(
        "error_stream",
        "status.error_consistency",
        [{"op": "replace", "path": "/response/events/3/data/response/error", "value": None}],
    )
    assert (f.event, f.pointer) == (3, "/response/error")


def test_completed_response_has_no_error():
    [f] = judge(
        "text_body",
        "status.error_consistency",
        [{"op": "replace", "path": f"{B}/error", "value": {"code": "x", "message": "y"}}],
    )
    assert f.pointer == "/error"


def test_incomplete_response_needs_incomplete_details():
    [f] = judge(
        "incomplete_body",
        "status.error_consistency",
        [{"op": "replace", "path": f"{B}/incomplete_details", "value": None}],
    )
    assert f.pointer == "/incomplete_details"
