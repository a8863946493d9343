"""state.* checks over a flow; each finding is reported once, on the exchange that shows it."""

from planted.traffic import build, judge, load_base

from respcompat.checks import CheckContext, run_checks

STATE = [
    "state.retrieve_equals_create",
    "state.store_false_not_found",
    "state.deleted_not_found",
    "state.previous_response_known",
]


def _flow_findings(ops_by_exchange=None):
    xs = build(load_base("flow_stateful"), "flow", ops_by_exchange)
    ctx = CheckContext(None, None, xs)
    return [f for x in xs for f in run_checks(x, ctx, only=STATE)]


def test_clean_flow_passes_every_state_check():
    assert _flow_findings() == []


def test_retrieve_must_equal_the_created_response():
    findings = _flow_findings({1: [{"op": "replace", "path": "/response/body/output/0/content/0/text", "value": "x"}]})
    assert [(f.check, f.exchange, f.pointer) for f in findings] == [
        ("state.retrieve_equals_create", 1, "/output/0/content/0/text")
    ]


def test_retrieve_may_add_billing():
    ops = {1: [{"op": "insert", "path": "/response/body/billing", "value": {"payer": "developer"}}]}
    assert _flow_findings(ops) == []


def test_queued_create_is_not_compared_with_a_later_retrieve():
    ops = {
        0: [{"op": "replace", "path": "/response/body/status", "value": "queued"}],
        1: [{"op": "replace", "path": "/response/body/background", "value": True}],
    }
    assert _flow_findings(ops) == []


def test_deleted_response_must_not_be_retrievable():
    [f] = _flow_findings({4: [{"op": "replace", "path": "/response/status", "value": 200}]})
    assert (f.check, f.exchange, f.details["deleted_in"]) == ("state.deleted_not_found", 4, 3)


def test_store_false_response_must_not_be_retrievable():
    [f] = _flow_findings({6: [{"op": "replace", "path": "/response/status", "value": 200}]})
    assert (f.check, f.exchange, f.details["created_in"]) == ("state.store_false_not_found", 6, 5)


def test_previous_response_id_must_name_an_earlier_response():
    [f] = _flow_findings({2: [{"op": "replace", "path": "/request/body/previous_response_id", "value": "resp_zz"}]})
    assert (f.check, f.exchange, f.pointer, f.details["document"]) == (
        "state.previous_response_known",
        2,
        "/previous_response_id",
        "request",
    )


def test_previous_response_id_is_not_judged_without_earlier_responses():
    assert (
        judge(
            "flow_stateful",
            "state.previous_response_known",
            exchange=0,
            ops=[{"op": "insert", "path": "/request/body/previous_response_id", "value": "resp_zz"}],
        )
        == []
    )
