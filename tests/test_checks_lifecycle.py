"""Stream envelope checks: parse, first event, terminal event, sequence numbers, event names, response id."""

from planted.traffic import build, judge, load_base

from respcompat.checks import CheckContext, run_checks

E = "/response/events"


def test_clean_text_stream_passes_every_envelope_check():
    for cid in (
        "stream.parse",
        "stream.first_event",
        "stream.terminal_event",
        "stream.sequence_number",
        "stream.event_name",
        "stream.response_id",
    ):
        assert judge("text_stream", cid) == [], cid


def test_unparseable_data_is_a_parse_finding_not_a_crash():
    [f] = judge("text_stream", "stream.parse", [{"op": "replace", "path": f"{E}/5", "value": {"raw": '{"type":'}}])
    assert (f.event, f.pointer) == (5, "")


def test_stream_must_open_with_response_created():
    [f] = judge("text_stream", "stream.first_event", [{"op": "remove", "path": f"{E}/0"}])
    assert (f.event, f.pointer, f.expected, f.actual) == (0, "/type", "response.created", "response.in_progress")


def test_in_progress_must_precede_the_first_output_event():
    [f] = judge("text_stream", "stream.first_event", [{"op": "remove", "path": f"{E}/1"}])
    assert f.event == 1 and f.actual == "response.output_item.added"


def test_truncated_stream_is_a_finding_not_a_crash():
    [f] = judge("text_stream", "stream.terminal_event", [{"op": "truncate", "path": E, "length": 8}])
    assert f.event == 7 and f.actual == "response.output_text.delta"


def test_two_terminal_events_are_reported_at_the_second():
    [f] = judge("text_stream", "stream.terminal_event", [{"op": "duplicate", "path": f"{E}/11"}])
    assert f.event == 12


def test_error_event_followed_by_response_failed_is_openais_pattern():
    assert judge("error_stream", "stream.terminal_event") == []


def test_bare_error_event_may_end_a_stream():
    assert judge("error_stream", "stream.terminal_event", [{"op": "remove", "path": f"{E}/3"}]) == []


def test_only_response_failed_may_follow_an_error_event():
    ops = [{"op": "replace", "path": f"{E}/3/data/type", "value": "response.completed"}]
    [f] = judge("error_stream", "stream.terminal_event", ops)
    assert f.event == 3 and f.expected == "response.failed"


def test_sequence_number_must_increase_by_one():
    [f] = judge(
        "text_stream", "stream.sequence_number", [{"op": "replace", "path": f"{E}/5/data/sequence_number", "value": 4}]
    )
    assert (f.event, f.pointer, f.expected, f.actual) == (5, "/sequence_number", 5, 4)


def test_stream_without_any_sequence_number_gives_one_finding():
    xs = build(load_base("text_stream"), "t")
    for e in xs[0].response.events:
        del e.data["sequence_number"]
    findings = run_checks(xs[0], CheckContext(None, None, xs), only=["stream.sequence_number"])
    assert [(f.event, f.actual) for f in findings] == [(0, None)]


def test_resumed_stream_starts_after_starting_after():
    xs = build(load_base("text_stream"), "t")
    x = xs[0]
    x.request.method = "GET"
    x.request.url += "/resp_68a1f1a0b2c3819e9d8c7b6a5f4e3d21?stream=true&starting_after=2"
    x.response.events = x.response.events[3:]
    ctx = CheckContext(None, None, xs)
    ids = ["stream.first_event", "stream.sequence_number", "stream.item_lifecycle", "stream.indexes"]
    assert run_checks(x, ctx, only=ids) == []


def test_event_line_must_equal_data_type():
    [f] = judge(
        "text_stream",
        "stream.event_name",
        [{"op": "replace", "path": f"{E}/4/event", "value": "response.output_text.done"}],
    )
    assert (f.event, f.pointer, f.expected, f.actual) == (
        4,
        "/type",
        "response.output_text.done",
        "response.output_text.delta",
    )


def test_terminal_response_id_must_equal_the_created_id():
    [f] = judge(
        "text_stream", "stream.response_id", [{"op": "replace", "path": f"{E}/11/data/response/id", "value": "resp_x"}]
    )
    assert (f.event, f.pointer, f.actual) == (11, "/response/id", "resp_x")
