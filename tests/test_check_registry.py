"""The check registry: stable ids, whole-stream checks skipped on fragments, a crashing check is an infrastructure error."""

from respcompat.checks import REGISTRY, CheckContext, check, load_all, run_checks
from respcompat.exchange import Event, Exchange, Response

COMPLETED = {
    "type": "response.completed",
    "sequence_number": 21,
    "response": {"id": "resp_1", "object": "response", "status": "completed", "output": []},
}


def _one_event_stream(fragment: bool) -> Exchange:
    ex = Exchange(None, Response(events=[Event(index=0, data=COMPLETED)]))
    ex.meta["fragment"] = fragment
    return ex


def _whole_stream_ids():
    return [cid for cid, spec in load_all().items() if spec.whole_stream]


def test_whole_stream_checks_judge_a_lone_event_that_claims_to_be_a_stream():
    found = {f.check for f in run_checks(_one_event_stream(False), CheckContext(None, None), _whole_stream_ids())}
    assert {"stream.first_event", "stream.sequence_number"} <= found


def test_whole_stream_checks_skip_a_fragment_cut_out_of_a_stream():
    assert run_checks(_one_event_stream(True), CheckContext(None, None), _whole_stream_ids()) == []


def test_check_ids_are_dotted_and_lower_case():
    assert all(cid.count(".") >= 1 and cid == cid.lower() for cid in load_all())


def test_a_crashing_check_is_an_infrastructure_error_and_the_others_still_run():
    @check("zz_test.crash", description="always crashes")
    def crash(exchange, ctx):
        raise RuntimeError("boom")

    try:
        ctx = CheckContext(None, None)
        run_checks(_one_event_stream(False), ctx, ["zz_test.crash", "stream.first_event"])
        assert any("zz_test.crash crashed" in e and "boom" in e for e in ctx.errors)
    finally:
        REGISTRY.pop("zz_test.crash")
