from types import SimpleNamespace

from respcompat.checks import CheckContext, run_checks
from respcompat.contracts import ContractSet
from respcompat.exchange import Exchange, Request, Response

ERROR = {"error": {"message": "bad", "type": "invalid_request_error", "param": None, "code": None}}
OK = {"id": "resp_1", "object": "response", "status": "completed", "output": []}


def _ex(body, status, documented):
    ex = Exchange(
        Request("POST", "https://h/v1/responses", body=body),
        Response(status=status, body=OK if status == 200 else ERROR),
    )
    ex.meta["expect"] = {"documented": documented}
    return ex


def _run(ex, contract="openai", unlisted=None):
    profile = SimpleNamespace(name=contract, docs={"DOC": {"url": "https://d"}}, unlisted_parameters=unlisted)
    ctx = CheckContext(profile, ContractSet.for_provider(contract))
    return [f for f in run_checks(ex, ctx, ["case.parameter_acceptance"])]


def test_a_value_inside_the_documented_range_that_is_rejected_is_a_finding():
    [f] = _run(_ex({"model": "m", "input": "hi", "temperature": 2}, 400, "parameters.temperature"))
    assert (f.pointer, f.expected, f.actual) == ("/temperature", "accepted (2xx)", "HTTP 400")


def test_a_value_inside_the_range_that_is_accepted_is_fine():
    assert _run(_ex({"model": "m", "input": "hi", "temperature": 2}, 200, "parameters.temperature")) == []


def test_dashscope_excludes_two_so_rejecting_temperature_two_is_fine():
    assert _run(_ex({"model": "m", "input": "hi", "temperature": 2}, 400, "parameters.temperature"), "dashscope") == []


def test_an_unlisted_parameter_documented_as_ignored_must_not_be_rejected():
    ex = _ex({"model": "m", "input": "hi", "safety_identifier": "x"}, 400, "parameters.unknown")
    [f] = _run(ex, "dashscope", {"handling": "ignored", "source": "DOC"})
    assert f.pointer == "/safety_identifier" and f.source == "DOC (https://d)"
    assert (
        _run(_ex(ex.request.body, 200, "parameters.unknown"), "dashscope", {"handling": "ignored", "source": "DOC"})
        == []
    )


def test_an_unlisted_parameter_documented_as_rejected_must_not_be_accepted():
    ex = _ex({"model": "m", "input": "hi", "safety_identifier": "x"}, 200, "parameters.unknown")
    assert [f.expected for f in _run(ex, "ark", {"handling": "rejected", "source": "DOC"})] == ["rejected (4xx)"]


def test_uncertain_handling_holds_the_provider_to_nothing():
    ex = _ex({"model": "m", "input": "hi", "safety_identifier": "x"}, 400, "parameters.unknown")
    assert _run(ex, "ark", {"handling": "uncertain", "source": "DOC"}) == []
