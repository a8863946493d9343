"""The item / content-part state machine: stream.item_lifecycle and stream.indexes."""

from planted.traffic import judge

E = "/response/events"


def test_clean_streams_pass_the_item_state_machine():
    for base in ("text_stream", "function_call_stream", "reasoning_stream", "error_stream"):
        assert judge(base, "stream.item_lifecycle") == [] and judge(base, "stream.indexes") == [], base


def test_event_for_an_item_never_added_is_a_lifecycle_finding():
    findings = judge("text_stream", "stream.item_lifecycle", [{"op": "remove", "path": f"{E}/2"}])
    assert (findings[0].event, findings[0].pointer) == (2, "/output_index")


def test_delta_after_item_done_is_a_lifecycle_finding():
    findings = judge("text_stream", "stream.item_lifecycle", [{"op": "swap", "path": f"{E}/7", "with": f"{E}/10"}])
    assert 10 in [f.event for f in findings]


def test_every_added_item_must_be_done_before_completed():
    [f] = judge("text_stream", "stream.item_lifecycle", [{"op": "remove", "path": f"{E}/10"}])
    assert f.event == 10 and f.actual == "response.completed"


def test_summary_part_must_be_added_before_its_deltas():
    findings = judge("reasoning_stream", "stream.item_lifecycle", [{"op": "remove", "path": f"{E}/3"}])
    assert (findings[0].event, findings[0].pointer) == (3, "/summary_index")


def test_failed_stream_may_leave_an_item_open():
    ops = [
        {
            "op": "insert",
            "path": f"{E}/2",
            "value": {
                "event": "response.output_item.added",
                "data": {
                    "type": "response.output_item.added",
                    "sequence_number": 2,
                    "output_index": 0,
                    "item": {
                        "id": "msg_1",
                        "type": "message",
                        "status": "in_progress",
                        "content": [],
                        "role": "assistant",
                    },
                },
            },
        }
    ]
    assert judge("error_stream", "stream.item_lifecycle", ops) == []


def test_item_id_on_a_delta_must_match_the_item_at_its_output_index():
    [f] = judge("text_stream", "stream.indexes", [{"op": "replace", "path": f"{E}/5/data/item_id", "value": "msg_x"}])
    assert (f.event, f.pointer, f.actual) == (5, "/item_id", "msg_x")


def test_output_index_counts_added_items_from_zero():
    [f] = judge("text_stream", "stream.indexes", [{"op": "replace", "path": f"{E}/2/data/output_index", "value": 1}])
    assert (f.event, f.pointer, f.expected, f.actual) == (2, "/output_index", 0, 1)


def test_output_item_done_must_carry_the_added_id():
    [f] = judge("text_stream", "stream.indexes", [{"op": "replace", "path": f"{E}/10/data/item/id", "value": "msg_y"}])
    assert (f.event, f.pointer) == (10, "/item/id")
