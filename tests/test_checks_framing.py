"""stream.framing: [DONE] against the provider's documented framing, events after it, unterminated tails."""

from types import SimpleNamespace

from planted.traffic import judge

DONE = [{"op": "insert", "path": "/response/events/-", "value": {"done": True}}]


def test_openai_framing_has_no_done_sentinel():
    assert judge("text_stream", "stream.framing") == []
    [f] = judge("text_stream", "stream.framing", DONE)
    assert f.event == 12 and f.actual == "[DONE]"


def test_documented_done_sentinel_is_required_when_the_profile_says_present():
    profile = SimpleNamespace(stream={"done_sentinel": "present", "source": "DOC-1"})
    assert judge("text_stream", "stream.framing", DONE, provider=profile) == []
    [f] = judge("text_stream", "stream.framing", provider=profile)
    assert f.source == "DOC-1" and f.expected == "[DONE]"


def test_optional_done_sentinel_accepts_both():
    profile = {"stream": {"done_sentinel": "optional"}}
    assert judge("text_stream", "stream.framing", DONE, provider=profile) == []
    assert judge("text_stream", "stream.framing", provider=profile) == []


def test_events_after_done_are_a_finding():
    early_done = [{"op": "insert", "path": "/response/events/11", "value": {"done": True}}]
    findings = judge("text_stream", "stream.framing", early_done, provider={"stream": {"done_sentinel": "present"}})
    assert [f.event for f in findings] == [12]


def test_unterminated_tail_is_a_finding():
    tail = [{"op": "insert", "path": "/response/unterminated_tail", "value": True}]
    [f] = judge("text_stream", "stream.framing", tail)
    assert f.actual == "unterminated tail"
