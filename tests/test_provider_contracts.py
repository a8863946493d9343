"""Provider contracts (schema overlays) and documentation cassettes, judged against their own docs."""

import json

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator

from respcompat import PROJECT_ROOT
from respcompat.providers import load_profile, profile_names

contracts = pytest.importorskip("respcompat.contracts")
importers = pytest.importorskip("respcompat.importers")

SCHEMAS = PROJECT_ROOT / "schemas"
CASSETTES = PROJECT_ROOT / "cassettes"
PROVIDER_CONTRACTS = ["dashscope", "ark", "las", "rongcloud"]
DOC_CASSETTES = sorted(p for p in CASSETTES.glob("*/*.yaml") if p.parent.name in PROVIDER_CONTRACTS)
KIND = {"create": "response", "retrieve": "response", "delete": "deleted", "input_items": "input_items"}


def _profiles_judged_by(contract):
    return [load_profile(n) for n in profile_names() if load_profile(n).contract == contract]


def _overlay_files(contract):
    return sorted(p for p in (SCHEMAS / contract).rglob("*.json") if p.name != "contract.json")


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}/{i}")


@pytest.mark.parametrize("name", PROVIDER_CONTRACTS)
def test_contract_composes_into_valid_schemas(name):
    c = contracts.load_contract(name)
    for rel, doc in c.files.items():
        cls = Draft7Validator if "draft-07" in doc.get("$schema", "") else Draft202012Validator
        cls.check_schema(doc)
        assert doc["$id"] == f"https://respcompat.dev/schemas/{name}/{rel}"


@pytest.mark.parametrize(
    "name,base", [("dashscope", "openai"), ("ark", "openai"), ("las", "ark"), ("rongcloud", "ark")]
)
def test_contract_declares_its_base(name, base):
    assert json.loads((SCHEMAS / name / "contract.json").read_text())["base"] == base


@pytest.mark.parametrize("name", PROVIDER_CONTRACTS)
def test_every_overlay_change_cites_a_listed_doc_and_says_why(name):
    profiles = _profiles_judged_by(name)
    assert profiles, f"no profile uses contract {name}"
    for path in _overlay_files(name):
        doc = json.loads(path.read_text(encoding="utf-8"))
        changes = (
            doc.get("changes", []) if "overlay" in doc else [{"source": doc.get("x-source"), "note": doc.get("x-note")}]
        )
        for ch in changes:
            assert ch.get("note"), f"{path}: change without note: {ch}"
            for p in profiles:
                assert ch.get("source") in p.docs, f"{path}: source {ch.get('source')!r} not in {p.name}.docs"


@pytest.mark.parametrize("name", PROVIDER_CONTRACTS)
def test_every_source_in_the_composed_contract_is_a_doc_of_its_profiles(name):
    """Inherited overlays too: las/rongcloud list the Ark documents their contract builds on."""
    c = contracts.load_contract(name)
    for p in _profiles_judged_by(name):
        for rel, doc in c.files.items():
            for ptr, node in _walk(doc):
                src = node.get("x-source")
                if isinstance(src, str) and not src.startswith("openai:"):
                    assert src in p.docs, f"{name}:{rel}#{ptr}: x-source {src!r} not in {p.name}.docs"


@pytest.mark.parametrize("name", PROVIDER_CONTRACTS)
def test_x_contradictions_name_a_profile_contradiction(name):
    c = contracts.load_contract(name)
    for p in _profiles_judged_by(name):
        ids = {x["id"] for x in p.contradictions}
        flagged = {x["id"] for x in p.contradictions if x.get("schema")}
        seen = set()
        for rel, doc in c.files.items():
            for ptr, node in _walk(doc):
                if "x-contradiction" in node:
                    assert node["x-contradiction"] in ids, f"{rel}#{ptr}"
                    assert all(b.get("x-source") in p.docs for b in node["anyOf"])
                    seen.add(node["x-contradiction"])
        assert flagged <= seen, f"{p.name}: contradictions marked schema but absent from the contract: {flagged - seen}"


def test_provider_only_item_types_are_complete_schemas():
    ds = contracts.load_contract("dashscope")
    assert {"web_extractor_call", "web_search_image_call", "image_search_call"} <= set(ds.types["items"])
    ark = contracts.load_contract("ark")
    assert {"image_process", "knowledge_search_call"} <= set(ark.types["items"])
    assert "response.image_process_call.progressing" in ark.types["events"]
    assert "web_extractor_call" not in contracts.load_contract("openai").types["items"]


# --- documentation cassettes -----------------------------------------------------------------------


def _meta(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["respcompat"]


def _documents(ex):
    """(kind, document, label) for everything in an exchange a schema judges."""
    r = ex.response
    if r.events is not None:
        for e in r.events:
            if isinstance(e.data, dict):
                yield "event", e.data, f"event {e.index} ({e.type})"
        return
    if r.status and r.status >= 400:
        yield "error", r.body, "error body"
        return
    yield KIND.get(ex.endpoint, "response"), r.body, ex.endpoint


def _judge(path, contract):
    res = importers.load_file(path)
    assert res.error is None, res.error
    c = contracts.load_contract(contract)
    errors, notes = [], []
    for ex in res.exchanges:
        for kind, doc, label in _documents(ex):
            v = c.validate(kind, doc)
            errors += [(label, e.pointer, e.message) for e in v.errors]
            notes += [(label, e.pointer, e.contradiction["id"]) for e in v.notes]
    return errors, notes


def test_there_are_documentation_cassettes_for_each_provider_with_docs():
    assert {p.parent.name for p in DOC_CASSETTES} == {"ark", "dashscope", "las", "rongcloud"}


@pytest.mark.parametrize("path", DOC_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_documentation_cassette_names_a_listed_page(path):
    meta = _meta(path)
    prov = meta["provenance"]
    assert meta["case"] == path.stem
    assert prov["kind"] == "documentation"
    profile = load_profile(path.parent.name)
    doc = profile.doc(prov["page"])
    assert prov["url"] in [doc["url"], *doc.get("also", [])]
    assert prov.get("note")


@pytest.mark.parametrize("path", DOC_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_documentation_cassette_carries_no_credentials(path):
    text = path.read_text(encoding="utf-8").lower()
    for word in ("authorization", "api-key:", "x-api-key", "bearer ", "sk-"):
        assert word not in text, f"{path.name}: {word!r}"


@pytest.mark.parametrize(
    "path",
    [p for p in DOC_CASSETTES if not _meta(p)["provenance"].get("excerpt")],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_complete_doc_example_passes_its_own_provider_contract(path):
    """A complete example either fits its provider's contract, or each place it does not is a triaged expectation
    (the provider's pages disagree with each other: the example is the evidence, not our schema's mistake)."""
    from respcompat.expectations import load_expectations

    errors, _ = _judge(path, load_profile(path.parent.name).contract)
    known = {
        (e["check"], e.get("pointer"))
        for e in load_expectations(path.parent.name)
        if e["case"] == path.stem and e["check"].startswith("schema.")
    }
    assert [
        e
        for e in errors
        if not any(p == e[1] or (p or "").startswith(e[1] + "/") or e[1].startswith((p or "") + "/") for _, p in known)
    ] == []


def test_excerpted_rongcloud_items_pass_the_item_schemas():
    """The object page gives items only: each must satisfy the rongcloud item schema."""
    res = importers.load_file(CASSETTES / "rongcloud" / "doc.response_object_example.yaml")
    c = contracts.load_contract("rongcloud")
    for item in res.exchanges[0].response.body["output"]:
        assert c.validator(f"items/{item['type']}.json").is_valid(item), item["type"]


def test_dashscope_ids_surface_the_id_format_contradiction():
    _, notes = _judge(CASSETTES / "dashscope" / "text.string_input.yaml", "dashscope")
    assert ("create", "/id", "response-id-format") in notes  # bare UUID: only DS-REF-latest matches
    _, notes = _judge(CASSETTES / "dashscope" / "doc.retrieve_example.yaml", "dashscope")
    assert ("retrieve", "/id", "response-id-format") in notes  # resp_<uuid>: only DS-RETRIEVE matches


def test_dashscope_error_shapes_surface_the_endpoint_contradiction():
    errors, notes = _judge(CASSETTES / "dashscope" / "errors.bad_key.yaml", "dashscope")
    assert errors == [] and ("error body", "", "error-shape-per-endpoint") in notes


def _openai_errors(rel):
    errors, _ = _judge(CASSETTES / rel, "openai")
    return {(label, ptr) for label, ptr, _ in errors}


def test_las_examples_diverge_from_openai_where_the_docs_say():
    errs = _openai_errors("las/text.string_input.yaml")
    assert ("create", "/output/1/content/0/annotations") in errs  # annotations: null
    assert ("create", "/tools") in errs and ("create", "/parallel_tool_calls") in errs  # null echoes
    body = importers.load_file(CASSETTES / "las" / "text.string_input.yaml").exchanges[0].response.body
    assert isinstance(body["created_at"], float)  # judged by timestamps.units, see las contradictions
    assert load_profile("las").contradiction("created-at-int-vs-float")["checks"]


def test_dashscope_examples_diverge_from_openai_where_the_docs_say():
    assert ("input_items", "/object") in _openai_errors("dashscope/doc.input_items_example.yaml")
    assert ("error body", "/error") in _openai_errors("dashscope/errors.bad_key.yaml")
    stream = _openai_errors("dashscope/stream.text.yaml")
    assert ("event 3 (response.content_part.added)", "/part/logprobs") in stream  # logprobs: null
    ds = _openai_errors("dashscope/doc.web_extractor_stream.yaml")
    assert any(ptr == "/item/type" for _, ptr in ds)  # web_extractor_call is not an OpenAI item


def test_rongcloud_items_diverge_from_openai_on_missing_annotations():
    assert ("retrieve", "/output/0/content/0/annotations") in _openai_errors(
        "rongcloud/doc.response_object_example.yaml"
    )
