"""Generate schemas/openai/ from the OpenAI OpenAPI spec, then apply schemas/openai/errata.yaml.

Usage: python tools/gen_openai_schemas.py /work/shared/reference/openai-openapi.yaml [--out schemas/openai]

Decisions (why the output differs from a literal translation):
- additionalProperties: left as the spec has it. Objects stay open because the live wire keeps adding
  fields (phase, completed_at, prompt_cache_retention...); the few objects the spec closes stay closed.
- oneOf becomes anyOf: OpenAPI oneOf branches overlap (EasyInputMessage vs InputMessage both accept a
  typed user message), so a strict oneOf would reject valid documents.
- Discriminated unions of items, content parts and events become `x-dispatch` (architecture.md): one
  schema per wire type, chosen by `type`, so an error points at the field instead of 28 failed branches.
  Other discriminated unions (tools, annotations...) become an if/then switch on `type` for the same reason.
- objects/create_request.json is self-contained draft-07 (`definitions`, no x-dispatch, no if/then) so
  hypothesis-jsonschema can generate from it; its one recursive ref (CompoundFilter) is cut to `object`.
- descriptions, titles, examples, `x-oai*`/`x-stainless*` and `discriminator` are dropped: facts only.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import posixpath
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from respcompat.contracts import apply_change, resolve_pointer  # noqa: E402

BASE_ID = "https://respcompat.dev/schemas/openai/"
DROP = {"description", "title", "example", "examples", "discriminator", "deprecated", "externalDocs", "xml", "$recursiveAnchor"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SCHEMA_ONE = {"additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties"}
# Unions replaced by x-dispatch in the server-side files.
DISPATCH = {
    "OutputItem": "items", "ItemResource": "items", "Item": "items", "InputItem": "items", "ItemField": "items",
    "ConversationItem": "items", "ResponseStreamEvent": "events",
    "OutputContent": "content", "InputContent": "content", "OutputMessageContent": "content",
}
# A content union narrower than "any content part" keeps its allowed types as an enum beside x-dispatch.
CONTENT_UNIONS = ("OutputContent", "InputContent", "OutputMessageContent")
KNOWN_FORMATS = {"uri", "email", "date-time", "date", "uuid"}


def comp_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


class Generator:
    def __init__(self, spec: dict):
        self.S = spec["components"]["schemas"]
        self.files: dict[str, dict] = {}  # relative path -> schema
        self.file_of: dict[str, str] = {}  # component -> file that holds it flattened
        self.defs: dict[str, object] = {}
        self.pending: list[str] = []

    # --- discovery -------------------------------------------------------------------------------
    def wire_type(self, name: str) -> str | None:
        node = self.S[name]
        for part in [node] + node.get("allOf", []):
            if "$ref" in part:
                t = self.wire_type(comp_name(part["$ref"]))
                if t:
                    return t
            prop = part.get("properties", {}).get("type")
            if isinstance(prop, dict):
                for cand in [prop] + prop.get("anyOf", []):
                    if cand.get("enum") and len(cand["enum"]) == 1:
                        return cand["enum"][0]
                    if "const" in cand:
                        return cand["const"]
        return None

    def branches(self, union: str) -> list[str]:
        node = self.S[union]
        return [comp_name(b["$ref"]) for b in node.get("oneOf", node.get("anyOf", [])) if "$ref" in b]

    def plan(self) -> None:
        """Decide which component lands in which file."""
        for name in self.branches("ResponseStreamEvent"):
            self.file_of[name] = f"events/{self.wire_type(name)}.json"
        for union in ("OutputContent", "InputContent"):
            for name in self.branches(union):
                self.file_of[name] = f"content/{self.wire_type(name)}.json"
        self.file_of["SummaryTextContent"] = "content/summary_text.json"
        # Server-sent item shapes win over request params of the same wire type.
        seen: dict[str, list[str]] = {}
        for union in ("OutputItem", "ItemResource", "Item", "InputItem"):
            for name in self.branches(union):
                t = self.wire_type(name)
                if t is None and name == "ItemReferenceParam":
                    t = "item_reference"
                if t is None:
                    continue
                if t not in seen:
                    seen[t] = [name]
                elif t == "message" and union == "ItemResource" and name not in seen[t]:
                    seen[t].append(name)  # input messages come back from GET input_items
        self.item_variants = seen
        for t, names in seen.items():
            if len(names) == 1:
                self.file_of[names[0]] = f"items/{t}.json"
        self.file_of["Response"] = "objects/response.json"
        self.file_of["ResponseItemList"] = "objects/input_items.json"
        self.file_of["ErrorResponse"] = "objects/error.json"

    # --- translation -------------------------------------------------------------------------------
    def ref(self, name: str, here: str, request: bool) -> dict:
        if request:
            self.pending.append(name)
            return {"$ref": f"#/definitions/{name}"}
        if name in DISPATCH:
            node: dict = {"x-dispatch": DISPATCH[name]}
            if name in CONTENT_UNIONS:
                node["properties"] = {"type": {"enum": [self.wire_type(b) for b in self.branches(name)]}}
            return node
        target = self.file_of.get(name)
        if target is None:
            self.pending.append(name)
            target, frag = "_defs.json", f"#/$defs/{name}"
        else:
            frag = ""
        if target == here:
            return {"$ref": frag or "#"}
        return {"$ref": posixpath.relpath(target, posixpath.dirname(here) or ".") + frag}

    def tr(self, node, here: str, request: bool, self_name: str | None = None):
        """Translate one schema node (OpenAPI 3.1 flavour) to clean JSON Schema."""
        if isinstance(node, list):
            return [self.tr(n, here, request, self_name) for n in node]
        if not isinstance(node, dict):
            return node
        if "$recursiveRef" in node:  # only CompoundFilter uses it, meaning "myself"
            return {"type": "object"} if request else self.ref(self_name, here, request)
        if "$ref" in node:
            target = self.ref(comp_name(node["$ref"]), here, request)
            rest = {k: v for k, v in node.items() if k != "$ref" and k not in DROP and not k.startswith("x-")}
            return {**target, **self.tr(rest, here, request, self_name)} if rest else target
        out: dict = {}
        for k, v in node.items():
            if k in DROP or k.startswith("x-") or k == "nullable":
                continue
            if k in SCHEMA_MAPS:
                out["definitions" if k == "$defs" and request else k] = {p: self.tr(s, here, request, self_name) for p, s in v.items()}
            elif k in SCHEMA_LISTS:
                out["anyOf" if k == "oneOf" else k] = [self.tr(s, here, request, self_name) for s in v]
            elif k in SCHEMA_ONE:
                out[k] = self.tr(v, here, request, self_name)
            elif k == "format" and (request or v not in KNOWN_FORMATS) and v not in KNOWN_FORMATS:
                continue  # `unixtime`, `float`: not JSON Schema formats, and hypothesis rejects unknown ones
            else:
                out[k] = copy.deepcopy(v)
        if "anyOf" in out and "allOf" not in out and not request:
            out = self.type_switch(node, out, here)
        if node.get("nullable"):
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    def type_switch(self, raw: dict, out: dict, here: str) -> dict:
        """A union whose branches are objects with distinct const `type` -> if/then per type (precise errors)."""
        branches = raw.get("oneOf", raw.get("anyOf", []))
        if len(branches) < 2 or not all("$ref" in b for b in branches):
            return out
        types = [self.wire_type(comp_name(b["$ref"])) for b in branches]
        if None in types or len(set(types)) != len(types):
            return out
        rest = {k: v for k, v in out.items() if k != "anyOf"}
        cases = [
            {"if": {"properties": {"type": {"const": t}}, "required": ["type"]}, "then": sub}
            for t, sub in zip(types, out["anyOf"])
        ]
        return {**rest, "type": "object", "required": ["type"], "properties": {"type": {"enum": types}}, "allOf": cases}

    def flatten(self, name: str) -> dict:
        """Resolve the top-level allOf of a component into one properties/required object (overlay-friendly paths)."""
        node = self.S[name]
        if "allOf" not in node:
            return node
        merged: dict = {"type": "object", "properties": {}, "required": []}
        for part in node["allOf"]:
            part = self.flatten(comp_name(part["$ref"])) if "$ref" in part else part
            if set(part) - {"type", "properties", "required", "description", "title", "additionalProperties", "x-oaiMeta"}:
                return node  # not a plain object merge; keep the allOf
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
        for k, v in node.items():
            if k != "allOf":
                merged[k] = v
        return merged

    # --- output ------------------------------------------------------------------------------------
    def emit(self, path: str, schema: dict) -> None:
        self.files[path] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE_ID + path,
                            "x-source": schema.pop("x-source", None), **schema}

    def component_file(self, name: str, path: str) -> None:
        body = self.tr(self.flatten(name), path, False, name)
        self.emit(path, {"x-source": f"openai:{name}", **body})

    def build(self) -> dict[str, dict]:
        self.plan()
        for name, path in self.file_of.items():
            self.component_file(name, path)
        for t, names in self.item_variants.items():
            if len(names) > 1:  # message: assistant output vs input message, told apart by role
                path = f"items/{t}.json"
                out_name, in_name = names
                self.emit(path, {
                    "x-source": f"openai:{out_name}",
                    "$defs": {"output": {"x-source": f"openai:{out_name}", **self.tr(self.flatten(out_name), path, False, out_name)},
                              "input": {"x-source": f"openai:{in_name}", **self.tr(self.flatten(in_name), path, False, in_name)}},
                    "if": {"properties": {"role": {"const": "assistant"}}, "required": ["role"]},
                    "then": {"$ref": "#/$defs/output"},
                    "else": {"$ref": "#/$defs/input"},
                })
        # DELETE /responses/{id} documents no 200 body; errata.yaml supplies the wire shape.
        self.emit("objects/deleted.json", {"x-source": "openai:DELETE /responses/{response_id}"})
        self.build_defs()
        self.build_request()
        self.files["contract.json"] = {"base": None, "title": "OpenAI Responses API (generated from openai-openapi.yaml)"}
        return self.files

    def build_defs(self) -> None:
        while self.pending:
            name = self.pending.pop()
            if name in self.defs:
                continue
            self.defs[name] = None  # reserve: recursion
            self.defs[name] = {"x-source": f"openai:{name}", **self.tr(self.S[name], "_defs.json", False, name)}
        self.emit("_defs.json", {"x-source": None, "$defs": dict(sorted(self.defs.items()))})
        self.files["_defs.json"].pop("x-source")

    def build_request(self) -> None:
        path = "objects/create_request.json"
        body = self.tr(self.flatten("CreateResponse"), path, True, "CreateResponse")
        definitions: dict = {}
        while self.pending:
            name = self.pending.pop()
            if name not in definitions:
                definitions[name] = None
                definitions[name] = self.tr(self.S[name], path, True, name)
        self.files[path] = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": BASE_ID + path,
                            "x-source": "openai:CreateResponse", **body, "definitions": dict(sorted(definitions.items()))}


def apply_errata(files: dict[str, dict], errata: list[dict]) -> None:
    """Patch each erratum into its schema and stamp `x-erratum` on the node it changed."""
    for e in errata:
        doc = files[e["schema"]]
        apply_change(doc, {"path": e["pointer"], **e["fix"]})  # fix.path overrides when the edit is below the node
        node = resolve_pointer(doc, e["pointer"])
        if isinstance(node, dict):
            node["x-erratum"] = {"id": e["id"], "spec": e["spec"], "wire": e["wire"], "evidence": e["evidence"]}


def write(files: dict[str, dict], out: Path) -> None:
    for sub in ("objects", "items", "content", "events"):
        shutil.rmtree(out / sub, ignore_errors=True)
    for path, schema in sorted(files.items()):
        if isinstance(schema, dict) and schema.get("x-source", "") is None:
            schema.pop("x-source")
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec")
    ap.add_argument("--out", default=str(ROOT / "schemas" / "openai"))
    args = ap.parse_args(argv)
    spec = yaml.load(open(args.spec, encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    files = Generator(spec).build()
    errata_path = Path(args.out) / "errata.yaml"
    errata = yaml.safe_load(errata_path.read_text()) if errata_path.exists() else []
    apply_errata(files, errata or [])
    write(files, Path(args.out))
    kinds = {d: sum(1 for p in files if p.startswith(d + "/")) for d in ("objects", "items", "content", "events")}
    print(f"wrote {len(files)} files to {args.out}: {kinds}, {len(errata or [])} errata")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
