"""Provider profiles: every profile validates, loads, and cites only documents it lists."""

import copy

import pytest
import yaml

from respcompat.providers import PROVIDERS_DIR, ProfileError, load_profile, profile_names, validate_profile_data

HOSTED = {
    "dashscope": "DASHSCOPE_API_KEY",
    "ark": "ARK_API_KEY",
    "las": "LAS_API_KEY",
    "rongcloud": "RONGCLOUD_API_KEY",
    "openai": "OPENAI_API_KEY",
}
LOCAL = {
    "llamacpp": "http://127.0.0.1:8080/v1",
    "llama-stack": "http://127.0.0.1:8321/v1",
    "litellm": "http://127.0.0.1:4000/v1",
}


def _raw(name):
    return yaml.safe_load((PROVIDERS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def test_all_expected_profiles_exist():
    assert set(HOSTED) | set(LOCAL) <= set(profile_names())


@pytest.mark.parametrize("name", profile_names())
def test_profile_validates_and_loads(name):
    p = load_profile(name)
    assert p.name == name
    assert p.base_url().startswith(("http://", "https://"))
    for key in p.docs:
        assert p.doc(key)["url"].startswith(("http://", "https://"))


@pytest.mark.parametrize("name", profile_names())
def test_every_contradiction_has_two_sides_from_listed_docs(name):
    p = load_profile(name)
    for c in p.contradictions:
        assert len(c["sides"]) >= 2
        assert all(s["source"] in p.docs for s in c["sides"])


@pytest.mark.parametrize("name,env", sorted(HOSTED.items()))
def test_hosted_profiles_name_their_key_variable(name, env):
    assert load_profile(name).api_key_env == env


@pytest.mark.parametrize("name,url", sorted(LOCAL.items()))
def test_local_servers_are_judged_by_openai_on_loopback(name, url):
    p = load_profile(name)
    assert p.contract == "openai" and p.kind == "local-server"
    assert p.base_url() == url


def test_unknown_profile_lists_the_known_names():
    with pytest.raises(ValueError) as exc:
        load_profile("nope")
    assert "dashscope" in str(exc.value) and "openai" in str(exc.value)


def test_path_like_name_is_unknown_not_read():
    with pytest.raises(ValueError):
        load_profile("../providers/openai")


def test_undocumented_doc_key_is_rejected_with_its_pointer():
    data = copy.deepcopy(_raw("dashscope"))
    data["deviations"][0]["source"] = "DS-NOWHERE"
    with pytest.raises(ProfileError, match=r"dashscope\.yaml: at /deviations/0/source: doc key 'DS-NOWHERE'"):
        validate_profile_data(data, "providers/dashscope.yaml")


def test_schema_violation_names_file_and_pointer():
    data = copy.deepcopy(_raw("ark"))
    data["stream"]["done_sentinel"] = "sometimes"
    with pytest.raises(ProfileError, match=r"ark\.yaml: at /stream/done_sentinel"):
        validate_profile_data(data, "providers/ark.yaml")


def test_base_url_prefers_a_literal_url_and_filters_by_region():
    ds = load_profile("dashscope")
    assert ds.base_url() == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert ds.base_url("us-east-1") == "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    assert "{WorkspaceId}" in ds.base_url("eu-central-1")
    with pytest.raises(ValueError, match="known"):
        ds.base_url("mars-1")


def test_undocumented_endpoints_are_null():
    assert load_profile("dashscope").endpoints["cancel"] is None
    assert load_profile("ark").endpoints["cancel"] is None
    assert load_profile("openai").endpoints["cancel"]["path"] == "/responses/{response_id}/cancel"


def test_input_items_milliseconds_are_a_documented_deviation():
    ds = load_profile("dashscope")
    rules = [
        d
        for d in ds.deviations
        if d["check"] == "timestamps.units" and d.get("when", {}).get("endpoint") == "input_items"
    ]
    assert rules and rules[0]["source"] == "DS-ITEMS"
