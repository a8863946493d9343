"""The compatibility matrix (features and cases down, providers across) as one self-contained HTML page or Markdown."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

import yaml

from . import PROJECT_ROOT

# Okabe-Ito tints (colour-blind safe); every cell also carries a symbol and a word, so colour is never alone.
VERDICT_STYLE = {
    "conforms": ("✓", "conforms", "#b9e4d6", "#00795a"),
    "diverges": ("✗", "diverges", "#f6c9ae", "#a34400"),
    "known-divergence": ("⚑", "known", "#fbe3a6", "#8a5d00"),
    "unsupported": ("∅", "unsupported", "#cfe6f6", "#1f5f8b"),
    "inconclusive": ("?", "inconclusive", "#f4efa0", "#6b6300"),
    "infrastructure-error": ("⚠", "infra error", "#ecd0e1", "#8c3b6b"),
    "untested": ("–", "untested", "#ececec", "#555555"),
}
VERDICTS = tuple(VERDICT_STYLE)
_FROM_OUTCOME = {
    "passed": "conforms",
    "failed": "diverges",
    "xfailed": "known-divergence",
    "skipped": "untested",
    "error": "infrastructure-error",
}
CLASS_ABBR = {
    "undocumented-divergence": "U",
    "doc-contradiction": "C",
    "documented-deviation": "D",
    "contract-drift": "Δ",
    "extension": "E",
    "model-dependent": "M",
}
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def _host(url: str | None) -> str:
    """The base URL's host as written (a `{placeholder}` host stays readable)."""
    m = re.match(r"^[a-zA-Z][\w+.-]*://(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]*)", url or "")
    return m.group(1).strip("[]") if m else ""


def verdict_of(case: dict[str, Any]) -> str:
    """The case's verdict; records written before verdicts existed fall back on the pytest outcome."""
    v = case.get("verdict")
    return v if v in VERDICT_STYLE else _FROM_OUTCOME.get(str(case.get("outcome")), "untested")


def case_features(root: Path | None = None) -> tuple[list[str], dict[str, list[str]]]:
    """The closed feature list (features.txt order) and each case id's features, read as plain YAML."""
    suites = (root or PROJECT_ROOT) / "suites"
    try:
        order = [
            ln.strip()
            for ln in (suites / "features.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
    except OSError:
        order = []
    feats: dict[str, list[str]] = {}
    for f in sorted((suites / "cases").glob("*.yaml")):
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # a broken case file is the suite lint's business, not the report's
        for c in doc.get("cases") or []:
            if isinstance(c, dict) and c.get("id"):
                feats[str(c["id"])] = [str(x) for x in c.get("features") or []]
    return order, feats


def source_kind(record: dict[str, Any]) -> str:
    """Where the record's cassettes come from: live, transcribed from documentation, local server (or replayed)."""
    kind = record.get("kind")
    host = _host(record.get("base_url"))
    names = {"documentation": "transcribed from documentation", "local-server": "local server"}
    if kind:
        return names.get(kind, str(kind))
    kinds = sorted({k for k in map(_cassette_kind, record.get("cases", [])) if k})
    if kinds:
        return " + ".join(names.get(k, k) for k in kinds)
    if host in ("127.0.0.1", "localhost", "::1"):
        return "local server"
    if record.get("record_mode") in ("once", "new_episodes", "all", "rewrite"):
        return "live"
    ids = [c.get("id", "") for c in record.get("cases", []) if verdict_of(c) != "untested"]
    if ids and all(i.startswith("doc.") for i in ids):
        return "transcribed from documentation"
    return "replayed cassettes"


def recorded_on(record: dict[str, Any]) -> str:
    """When the judged traffic was recorded (the cases' provenance dates; transcriptions have none): 'recorded D' or
    'recorded D1 to D2', or '' when nothing says. A replay's own start date says nothing about the server."""
    days = sorted(
        {
            str(prov["date"])[:10]
            for c in record.get("cases", [])
            if isinstance(prov := c.get("provenance"), dict) and prov.get("date") and verdict_of(c) != "untested"
        }
    )
    if not days:
        return ""
    return f"recorded {days[0]}" if len(days) == 1 else f"recorded {days[0]} to {days[-1]}"


def _cassette_kind(case: dict[str, Any]) -> str | None:
    """The provenance kind a case's cassette declares (None when the file is not here or says nothing)."""
    from .recording import cassette_kind

    if verdict_of(case) == "untested":
        return None
    if isinstance(case.get("provenance"), dict) and case["provenance"].get("kind"):
        return str(case["provenance"]["kind"])  # the record says so itself (newer records)
    path = case.get("cassette")
    if not path:
        return None
    p = Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path
    try:
        return cassette_kind(p) if p.is_file() else None
    except Exception:  # a provenance block we cannot read must not stop the report
        return None


def _summary(vs: list[str]) -> str:
    """'4/6 conform' over the cases that ran, untested ones counted apart."""
    u = vs.count("untested")
    if u == len(vs):
        return "untested" if vs else "—"
    return f"{vs.count('conforms')}/{len(vs) - u} conform" + (f" ({u} untested)" if u else "")


def _grid(records: list[dict[str, Any]], root: Path | None = None):
    """Groups of (feature, [(case id, its features)]) in features.txt order, and the (provider, case) -> case map."""
    order, feats = case_features(root)
    by = {(r["provider"], c["id"]): c for r in records for c in r.get("cases", [])}
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    for cid in sorted({c["id"] for r in records for c in r.get("cases", [])}):
        recorded = next(
            (c.get("features") for r in records for c in r.get("cases", []) if c["id"] == cid and c.get("features")),
            None,
        )
        fs = ["documentation"] if cid.startswith("doc.") else recorded or feats.get(cid) or ["other"]
        groups.setdefault(fs[0], []).append((cid, fs))  # a case sits under its first (primary) feature
    rank = {f: i for i, f in enumerate(order)}
    return sorted(groups.items(), key=lambda g: (rank.get(g[0], len(rank)), g[0])), by


def _counts_text(case: dict[str, Any]) -> str:
    n = Counter(f.get("classification") for f in case.get("findings") or [])
    return " ".join(f"{n[c]}{a}" for c, a in CLASS_ABBR.items() if n[c])


def _j(v: Any, limit: int = 2000) -> str:
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[:limit] + f"… ({len(s)} chars)"


def _linked(text: str) -> str:
    """Escaped text whose http(s) URLs become links."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f'<a href="{escape(m.group(0))}" rel="noopener">{escape(m.group(0))}</a>')
        pos = m.end()
    return "".join(out) + escape(text[pos:])


def _events(evs: Any) -> str:
    if not evs:
        return ""
    return f"{evs[0]}-{evs[-1]} ({len(evs)} events)" if len(evs) > 3 else ", ".join(map(str, evs))


def _drill(provider: str, case: dict[str, Any], reasons: dict[str, Any] | None = None) -> str:
    v = verdict_of(case)
    sym, word, _, _ = VERDICT_STYLE[v]
    parts = [
        f'<h3><span class="sym">{sym}</span> {escape(case["id"])} <small>on {escape(provider)}: {escape(v)}</small></h3>'
    ]
    if case.get("reasons"):
        parts.append(
            "<h4>Why this verdict</h4><ul>" + "".join(f"<li>{_linked(str(x))}</li>" for x in case["reasons"]) + "</ul>"
        )
    if case.get("probe"):
        p = case["probe"]
        parts.append(
            f'<p class="probe">parameter probe: <code>{escape(str(p.get("parameter")))}</code> is '
            f"<b>{escape(str(p.get('verdict')))}</b></p>"
        )
    meta = [
        ("cassette", case.get("cassette") or "none"),
        ("exchanges", case.get("exchanges")),
        ("pytest outcome", case.get("outcome")),
        ("infrastructure error", case.get("infra_error")),
    ]
    parts.append(
        "<dl>"
        + "".join(f"<dt>{k}</dt><dd><code>{escape(str(x))}</code></dd>" for k, x in meta if x is not None)
        + "</dl>"
    )
    fs = case.get("findings") or []
    said: set[str] = set()  # reasons already given in full in this drill-down
    parts.append(f"<h4>{len(fs)} finding(s)</h4>")
    for f in fs:
        where = f" · event {f['event']}" if f.get("event") is not None else ""
        if f.get("events"):
            where = f" · events {_events(f['events'])}"
        parts.append(
            f'<div class="finding c-{escape(str(f.get("classification")))}"><p><b>{escape(str(f.get("classification")))}</b> '
            f"<code>{escape(str(f.get('check')))}</code> at <code>{escape(str(f.get('pointer') or '/'))}</code>"
            f"{escape(where)}</p><p>{escape(str(f.get('message')))}</p>"
            f'<table class="ea"><tr><th>expected</th><td><pre>{escape(_j(f.get("expected")))}</pre></td></tr>'
            f"<tr><th>actual</th><td><pre>{escape(_j(f.get('actual')))}</pre></td></tr></table>"
            + (f'<p class="src">source: {_linked(str(f["source"]))}</p>' if f.get("source") else "")
            + _triage(f.get("triage"), reasons or {}, said)
            + "</div>"
        )
    key = f"{provider}/{case['id']}"
    return f'<section class="drill" data-key="{escape(key)}" hidden>{"".join(parts)}</section>'


def triage_of(t: Any, reasons: dict[str, Any]) -> dict[str, Any] | None:
    """A known finding's reason as {id, kind, text, source}: a shared one looked up in the record, or its own."""
    if not isinstance(t, dict):
        return None
    shared = reasons.get(t.get("reason_id") or "") or {}
    text = t.get("reason") or shared.get("text")
    if not text:
        return None
    kind = t.get("kind") or shared.get("kind")
    return {"id": t.get("reason_id"), "kind": kind, "text": text, "source": t.get("source") or shared.get("source")}


def _told(why: dict[str, Any], said: set[str]) -> bool:
    """Whether this shared reason was already given in full here (and, if not, it is now)."""
    if why["id"] and why["id"] in said:
        return True
    if why["id"]:
        said.add(str(why["id"]))
    return False


def _triage(t: Any, reasons: dict[str, Any], said: set[str]) -> str:
    """Why a divergence is known: the expectation's reason (server or test bed), with its source; a shared reason
    already given above in the same drill-down is named, not repeated."""
    why = triage_of(t, reasons)
    if why is None:
        return ""
    if _told(why, said):
        return f'<p class="triage"><b>known</b> ({escape(str(why["id"]))}, as above)</p>'
    who = {"server": "the server diverges", "test-bed": "an artifact of the test bed"}.get(str(why["kind"]), "")
    label = " · ".join(escape(str(x)) for x in (why["id"], who) if x)
    src = f' <span class="src">({_linked(str(why["source"]))})</span>' if why["source"] else ""
    return f'<p class="triage"><b>known</b>{" (" + label + ")" if label else ""}: {escape(str(why["text"]))}{src}</p>'


def _header(r: dict[str, Any]) -> str:
    host = _host(r.get("base_url")) or "?"
    t = r.get("transport") or {}
    tline = (
        f"<br><small>{t.get('requests', 0)} req · {t.get('retries', 0)} retries · {t.get('infra_errors', 0)} infra</small>"
        if t.get("requests")
        else ""
    )  # a replay sends nothing: zero counts would only be noise
    when = f'<br><small class="recorded">{escape(recorded_on(r))}</small>' if recorded_on(r) else ""
    return (
        f'<th class="prov" data-p="{escape(r["provider"])}"><b>{escape(r["provider"])}</b><br>'
        f"<small>{escape(str(r.get('model') or 'no model set'))}</small><br>"
        f"<small>{'run ' + escape(str(r['started'])[:10]) + ' · ' if r.get('started') else ''}{escape(host)}</small><br>"
        f'<small class="kind">{escape(source_kind(r))}</small>{when}{tline}</th>'
    )


def render_matrix_html(records: list[dict[str, Any]], root: Path | None = None) -> str:
    """One self-contained page: legend, filters, the grouped matrix, a drill-down per cell, transport and contradictions."""
    groups, by = _grid(records, root)
    provs = [r["provider"] for r in records]
    reasons_of = {r["provider"]: r.get("triage_reasons") or {} for r in records}
    rows, drills = [], []
    for feat, cases in groups:
        summ = []
        for p in provs:
            vs = [verdict_of(by[(p, c)]) for c, _ in cases if (p, c) in by]
            summ.append(f'<td class="sum" data-p="{escape(p)}">{_summary(vs)}</td>')
        rows.append(f'<tr class="feature" data-group="{escape(feat)}"><th>{escape(feat)}</th>{"".join(summ)}</tr>')
        for cid, fs in cases:
            cells = []
            for p in provs:
                c = by.get((p, cid))
                if c is None:
                    cells.append(f'<td class="cell none" data-p="{escape(p)}" data-v="">not run</td>')
                    continue
                v = verdict_of(c)
                sym, word, _, _ = VERDICT_STYLE[v]
                probe = c.get("probe") or {}
                extra = f'<br><small class="probe">{escape(str(probe.get("verdict")))}</small>' if probe else ""
                counts = _counts_text(c)
                cells.append(
                    f'<td class="cell v-{v}" data-p="{escape(p)}" data-v="{v}" data-key="{escape(p)}/{escape(cid)}" '
                    f'tabindex="0" title="{escape(v)}: click for details"><span class="sym">{sym}</span> {word}{extra}'
                    + (f'<br><small class="counts">{escape(counts)}</small>' if counts else "")
                    + "</td>"
                )
                drills.append(_drill(p, c, reasons_of.get(p)))
            rows.append(
                f'<tr class="case" data-group="{escape(feat)}" data-features="{escape(" ".join(fs))}">'
                f"<th><code>{escape(cid)}</code></th>{''.join(cells)}</tr>"
            )
    legend = "".join(
        f'<li class="v-{v}"><span class="sym">{s}</span> <b>{escape(v)}</b></li>'
        for v, (s, *_r) in VERDICT_STYLE.items()
    )
    abbr = " · ".join(f"<b>{a}</b> {escape(c)}" for c, a in CLASS_ABBR.items())
    pf = "".join(
        f'<label><input type="checkbox" class="fp" value="{escape(p)}" checked> {escape(p)}</label>' for p in provs
    )
    vf = "".join(
        f'<label class="v-{v}"><input type="checkbox" class="fv" value="{v}" checked> {VERDICT_STYLE[v][0]} {v}</label>'
        for v in VERDICTS
    )
    ff = "".join(
        f'<option value="{escape(g)}">{escape(g)}</option>'
        for g in sorted({f for _, cs in groups for _, fs in cs for f in fs})
    )
    style = "".join(f".v-{v}{{background:{bg};color:{fg}}}" for v, (_, _, bg, fg) in VERDICT_STYLE.items())
    style += "".join(f".e-{v}{{background:{bg};color:{fg}}}" for v, (_, _, bg, fg) in EFFECT_STYLE.items())
    effects, effect_drills = _effects_html(records)
    coverage, coverage_drills = _coverage_html(records)
    drills += effect_drills + coverage_drills
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>respcompat compatibility matrix</title>"
        f"<style>{_CSS}{style}</style><body><h1>respcompat compatibility matrix</h1>"
        f'<p class="intro">{len(provs)} provider(s), {sum(len(cs) for _, cs in groups)} case(s). Only <b>conforms</b> is a pass. '
        "Click a cell for its findings.</p>"
        f'<ul class="legend">{legend}</ul><p class="abbr">Findings per cell by classification: {abbr}</p>'
        f'<form class="filters" id="filters"><fieldset><legend>providers</legend>{pf}</fieldset>'
        f'<fieldset><legend>feature</legend><select id="ff"><option value="">all features</option>{ff}</select></fieldset>'
        f"<fieldset><legend>verdicts</legend>{vf}</fieldset></form>"
        f'<div class="wrap"><table id="matrix"><thead><tr><th>feature / case</th>{"".join(_header(r) for r in records)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<aside id="panel" hidden><button type="button" id="close">close ✕</button>{"".join(drills)}</aside></div>'
        f"{effects}{coverage}{_transport(records)}{_contradictions(records)}<script>{_JS}</script></body></html>\n"
    )


def _transport(records: list[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        t = r.get("transport")
        if not t:
            continue
        st = ", ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in sorted((t.get("status") or {}).items()))
        er = ", ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in sorted((t.get("errors") or {}).items()))
        rows.append(
            f"<tr><th>{escape(r['provider'])}</th><td>{escape(str(t.get('requests')))}</td><td>{escape(str(t.get('retries')))}</td>"
            f"<td>{escape(str(t.get('waited_s')))}</td><td>{escape(str(t.get('tokens')))}</td><td>{st}</td><td>{er}</td>"
            f"<td>{escape(str(t.get('infra_errors')))}</td></tr>"
        )
    if not rows:
        return ""
    return (
        '<h2>Transport</h2><table class="plain"><tr><th>provider</th><th>requests</th><th>retries</th><th>waited s</th>'
        f"<th>tokens</th><th>HTTP status</th><th>errors</th><th>infra errors</th></tr>{''.join(rows)}</table>"
    )


def _contradictions(records: list[dict[str, Any]]) -> str:
    out = []
    for r in records:
        cs = r.get("doc_contradictions") or []
        if cs:
            items = "".join(
                f"<li><code>{escape(str(c.get('id')))}</code> ({escape(str(c.get('findings', 0)))} finding(s)): "
                f"{escape(str(c.get('summary')))}<ul>"
                + "".join(
                    f"<li>{_linked(str(s.get('source')))}: {escape(str(s.get('says')))}</li>"
                    for s in c.get("sides", [])
                )
                + "</ul></li>"
                for c in cs
            )
            out.append(
                f"<details><summary>{escape(r['provider'])}: {len(cs)} place(s) its documents disagree</summary><ul>{items}</ul></details>"
            )
    return "<h2>Where a provider's documents disagree</h2>" + "".join(out) if out else ""


# --- generated requests (issue 7): what each parameter did, and what the run covered ------------------------------

# Same tints as the verdicts they resemble; a symbol and a word carry the meaning without colour.
EFFECT_STYLE = {
    "applied": ("✓", "applied", "#b9e4d6", "#00795a"),
    "ignored": ("○", "ignored", "#fbe3a6", "#8a5d00"),
    "rejected": ("✗", "rejected", "#f6c9ae", "#a34400"),
    "inconclusive": ("?", "inconclusive", "#f4efa0", "#6b6300"),
}
OUTCOME_ABBR = {"accepted": "acc", "rejected": "rej", "server-error": "5xx", "infrastructure-error": "infra"}


def _d(x: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one: a renderer never trusts a record's shape."""
    return x if isinstance(x, dict) else {}


def _effect_style(v: Any) -> tuple[str, str, str]:
    """Symbol, word and CSS class of an effect verdict (an unknown one shows as itself, uncoloured)."""
    if v in EFFECT_STYLE:
        return EFFECT_STYLE[v][0], EFFECT_STYLE[v][1], f"e-{v}"
    return "?", str(v), "e-unknown"


def _with(records: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    return [r for r in records if _d(r.get(field))]


def _outcomes_text(po: dict[str, Any]) -> str:
    """'5 acc · 2 rej' from a parameter's outcome counts (zeros left out)."""
    n = _d(po.get("outcomes"))
    return " · ".join(f"{n[k]} {a}" for k, a in OUTCOME_ABBR.items() if n.get(k)) + "".join(
        f" · {n[k]} {k}" for k in n if k not in OUTCOME_ABBR and n[k]
    )


def _flaky(g: dict[str, Any]) -> list[dict[str, Any]]:
    """The generated requests whose outcome changed between repeats."""
    flaky = g.get("flaky")
    return [f for f in flaky if isinstance(f, dict)] if isinstance(flaky, list) else []


def _ratio(a: Any, b: Any) -> str:
    if isinstance(a, int) and isinstance(b, int) and b > 0:
        return f"{a}/{b} ({round(100 * a / b)}%)"
    return f"{a if a is not None else '?'}/{b if b is not None else '?'}"


def _generation_text(g: dict[str, Any]) -> str:
    """'seed 12345 · 40 examples · repeat 1 · 1 flaky' (what is missing is left out)."""
    parts = [f"seed {g['seed']}" if "seed" in g else "", f"{g['examples']} examples" if "examples" in g else ""]
    parts += [f"repeat {g['repeat']}" if "repeat" in g else ""]
    parts += [f"{len(_flaky(g))} flaky" if _flaky(g) else ""]
    return " · ".join(str(p) for p in parts if p)


def _effect_drill(provider: str, param: str, e: dict[str, Any]) -> str:
    sym, word, _ = _effect_style(e.get("verdict"))
    meta = [
        ("case", e.get("case")),
        ("model-dependent", "yes: the verdict rests on what the model wrote" if e.get("model_dependent") else None),
    ]
    return (
        f'<section class="drill" data-key="{escape(f"effect:{provider}/{param}")}" hidden>'
        f'<h3><span class="sym">{sym}</span> {escape(param)} <small>on {escape(provider)}: {escape(word)}</small></h3>'
        f'<h4>Evidence</h4><p class="evidence">{_linked(str(e.get("evidence", "")))}</p>'
        "<dl>"
        + "".join(f"<dt>{k}</dt><dd><code>{escape(str(x))}</code></dd>" for k, x in meta if x is not None)
        + (f"<dt>documented at</dt><dd>{_linked(str(e['source']))}</dd>" if e.get("source") else "")
        + "</dl></section>"
    )


def _coverage_drill(provider: str, param: str, po: dict[str, Any]) -> str:
    values = _d(po.get("values"))
    rows = "".join(
        f'<tr><td><code>{escape(_j(k, 200))}</code></td><td class="o-{escape(str(v))}">{escape(str(v))}</td></tr>'
        for k, v in values.items()
    )
    doc = po.get("documented")
    return (
        f'<section class="drill" data-key="{escape(f"coverage:{provider}/{param}")}" hidden>'
        f"<h3>{escape(param)} <small>on {escape(provider)}: sent {escape(str(po.get('sent', 0)))} time(s)</small></h3>"
        f"<dl><dt>documented</dt><dd>{'yes' if doc else 'no' if doc is not None else '?'}</dd>"
        f"<dt>outcomes</dt><dd>{escape(_outcomes_text(po)) or 'none'}</dd></dl>"
        + (
            f'<h4>{len(values)} value(s) sent</h4><table class="plain"><tr><th>value</th><th>outcome</th></tr>{rows}</table>'
            if values
            else ""
        )
        + "</section>"
    )


def _effects_html(records: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The parameter-effects table (parameters down, providers across) and its drill-downs; nothing without data."""
    rs = _with(records, "parameter_effects")
    if not rs:
        return "", []
    params = sorted({str(k) for r in rs for k in r["parameter_effects"]})
    rows, drills = [], []
    for prm in params:
        cells = []
        for r in rs:
            p, e = str(r["provider"]), r["parameter_effects"].get(prm)
            if not isinstance(e, dict):
                why = _d(_d(r.get("coverage")).get("not_exercised")).get(prm)
                title = f' title="{escape(str(why))}"' if why else ""
                cells.append(f'<td class="cell none" data-p="{escape(p)}"{title}>not measured</td>')
                continue
            sym, word, cls = _effect_style(e.get("verdict"))
            md = (
                '<br><small class="md"><b class="mbadge">M</b> model-dependent</small>'
                if e.get("model_dependent")
                else ""
            )
            cells.append(
                f'<td class="cell eff {cls}" data-p="{escape(p)}" data-key="{escape(f"effect:{p}/{prm}")}" tabindex="0" '
                f'title="{escape(word)}: click for the evidence"><span class="sym">{sym}</span> {escape(word)}{md}</td>'
            )
            drills.append(_effect_drill(p, prm, e))
        rows.append(f"<tr><th><code>{escape(prm)}</code></th>{''.join(cells)}</tr>")
    legend = "".join(
        f'<li class="e-{v}"><span class="sym">{s}</span> <b>{v}</b></li>' for v, (s, *_r) in EFFECT_STYLE.items()
    )
    head = "".join(
        f'<th class="prov" data-p="{escape(str(r["provider"]))}"><b>{escape(str(r["provider"]))}</b></th>' for r in rs
    )
    return (
        '<h2 id="parameter-effects">Parameter effects</h2><p class="intro">What sending each parameter did to the response. '
        'Click a cell for its evidence; <b class="mbadge">M</b> <b>model-dependent</b>: the verdict rests on what the model '
        "wrote.</p>"
        f'<ul class="legend">{legend}</ul>'
        f'<table id="effects" class="grid"><thead><tr><th>parameter</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>',
        drills,
    )


def _coverage_html(records: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Per provider: parameters and enum values exercised, outcomes per parameter, what was not sent and why."""
    rs = [r for r in records if _d(r.get("coverage")) or _d(r.get("generation"))]
    if not rs:
        return "", []
    totals, notes = [], []
    for r in rs:
        p, cov, g = str(r["provider"]), _d(r.get("coverage")), _d(r.get("generation"))
        t, ne = _d(cov.get("totals")), _d(cov.get("not_exercised"))
        totals.append(
            f'<tr data-p="{escape(p)}"><th>{escape(p)}</th><td>{escape(_ratio(t.get("exercised"), t.get("parameters")))}</td>'
            f"<td>{escape(_ratio(t.get('enum_values_exercised'), t.get('enum_values')))}</td><td>{len(ne)}</td>"
            f"<td>{escape(_generation_text(g))}</td></tr>"
        )
        items = "".join(f"<li><code>{escape(str(k))}</code>: {_linked(str(v))}</li>" for k, v in ne.items())
        flaky = _flaky(g)
        fl = "".join(
            f"<li><code>{escape(str(f.get('case')))}</code> <code>{escape(str(f.get('request', '')))}</code>: "
            f"{escape(' → '.join(map(str, f.get('verdicts') or [])))}</li>"
            for f in flaky
        )
        if items or fl:
            notes.append(
                f'<details data-p="{escape(p)}"><summary>{escape(p)}: {len(ne)} not exercised'
                + (f", {len(flaky)} flaky" if flaky else "")
                + "</summary>"
                + (f'<ul class="not-exercised">{items}</ul>' if items else "")
                + (f'<p>Flaky (the outcome changed between repeats):</p><ul class="flaky">{fl}</ul>' if fl else "")
                + "</details>"
            )
    cs = [r for r in rs if _d(_d(r.get("coverage")).get("parameters"))]
    params = sorted({str(k) for r in cs for k in r["coverage"]["parameters"]})
    rows, drills = [], []
    for prm in params:
        cells = []
        for r in cs:
            p, po = str(r["provider"]), r["coverage"]["parameters"].get(prm)
            if not isinstance(po, dict):
                cells.append(f'<td class="cell none" data-p="{escape(p)}">—</td>')
                continue
            n = _d(po.get("outcomes"))
            bad = " cov-bad" if n.get("server-error") or n.get("infrastructure-error") else ""
            bad = " cov-none" if not po.get("sent") else bad
            undoc = '<br><small class="undoc">undocumented</small>' if po.get("documented") is False else ""
            cells.append(
                f'<td class="cell cov{bad}" data-p="{escape(p)}" data-key="{escape(f"coverage:{p}/{prm}")}" tabindex="0" '
                f'title="click for the values sent">{escape(str(po.get("sent", 0)))} sent'
                f"<br><small>{escape(_outcomes_text(po))}</small>{undoc}</td>"
            )
            drills.append(_coverage_drill(p, prm, po))
        rows.append(f"<tr><th><code>{escape(prm)}</code></th>{''.join(cells)}</tr>")
    head = "".join(
        f'<th class="prov" data-p="{escape(str(r["provider"]))}"><b>{escape(str(r["provider"]))}</b></th>' for r in cs
    )
    abbr = " · ".join(f"<b>{a}</b> {k}" for k, a in OUTCOME_ABBR.items())
    table = (
        f'<p class="intro">Requests per parameter and what the server did ({abbr}); click a cell for the values sent.</p>'
        f'<table id="coverage" class="grid"><thead><tr><th>parameter</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        if rows
        else ""
    )
    return (
        '<h2 id="coverage-section">Coverage</h2><table class="plain" id="coverage-totals"><tr><th>provider</th>'
        "<th>parameters exercised / documented</th><th>enum values exercised</th><th>not exercised</th>"
        f"<th>generated requests</th></tr>{''.join(totals)}</table>{''.join(notes)}{table}",
        drills,
    )


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}h1{font-size:20px;margin:0 0 4px}
.legend{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:8px 0}.legend li{padding:2px 8px;border-radius:3px}
.abbr,.intro{margin:4px 0;color:#444}.filters{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.filters fieldset{border:1px solid #ccc;padding:4px 8px}.filters label{margin-right:8px;padding:1px 4px;border-radius:3px;white-space:nowrap}
.wrap{display:flex;gap:12px;align-items:flex-start}
#matrix{border-collapse:collapse}#matrix th,#matrix td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
#matrix thead th{position:sticky;top:0;background:#fafafa;z-index:1;font-weight:normal}
tr.feature th,tr.feature td{background:#e4e8ee;font-weight:bold}td.sum{font-size:12px}
td.cell{cursor:pointer;white-space:nowrap;min-width:88px}td.cell:focus,td.cell.sel{outline:3px solid #0b4f9c;outline-offset:-3px}
td.none{color:#888;background:#fff;cursor:default}.sym{font-weight:bold}small{font-size:11px}.kind{font-style:italic}
#panel{position:fixed;top:0;right:0;bottom:0;width:min(680px,52vw);overflow:auto;border-left:3px solid #0b4f9c;padding:8px 14px;background:#fff;box-shadow:-4px 0 14px rgba(0,0,0,.25);z-index:5}#close{float:right}
#panel h3{margin:4px 0}.finding{border-top:1px solid #ddd;padding:4px 0}.finding p{margin:2px 0}
.ea{border-collapse:collapse;width:100%}.ea th{width:70px;text-align:left;vertical-align:top}
pre{margin:0;white-space:pre-wrap;word-break:break-all;background:#f5f5f5;padding:2px 4px;max-height:12em;overflow:auto}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 8px;margin:4px 0}dd{margin:0;word-break:break-all}
table.grid{border-collapse:collapse;margin:6px 0}table.grid th,table.grid td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
table.grid thead th{background:#fafafa;font-weight:normal}td.cov-bad{background:#f6c9ae;color:#a34400}td.cov-none{color:#888}
.md,.undoc{font-style:italic}.mbadge{font-style:normal;border:1px solid currentColor;border-radius:3px;padding:0 2px}table.plain th{text-align:left}.e-unknown{background:#ececec}details{margin:4px 0}h2{font-size:17px;margin:18px 0 4px}
.hidden{display:none}table.plain{border-collapse:collapse}table.plain td,table.plain th{border:1px solid #ccc;padding:2px 6px}
"""

# Plain JS, no dependency: filters hide columns/rows; a cell click (or ?open=provider/case) shows its drill-down.
_JS = r"""
(function(){
var q=function(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s));};
var panel=document.getElementById('panel');
function open(key){
  var hit=null;q('section.drill').forEach(function(s){var m=s.getAttribute('data-key')===key;s.hidden=!m;if(m)hit=s;});
  q('td.cell').forEach(function(c){c.classList.toggle('sel',c.getAttribute('data-key')===key);});
  panel.hidden=!hit;
  return !!hit;
}
q('td.cell[data-key]').forEach(function(c){
  c.addEventListener('click',function(){open(c.getAttribute('data-key'));});
  c.addEventListener('keydown',function(e){if(e.key==='Enter')open(c.getAttribute('data-key'));});
});
document.getElementById('close').addEventListener('click',function(){panel.hidden=true;});
document.addEventListener('keydown',function(e){if(e.key==='Escape')panel.hidden=true;});
function apply(){
  var ps=q('input.fp:checked').map(function(i){return i.value;});
  var vs=q('input.fv:checked').map(function(i){return i.value;});
  var f=document.getElementById('ff').value;
  q('[data-p]').forEach(function(e){e.classList.toggle('hidden',ps.indexOf(e.getAttribute('data-p'))<0);});
  var live={};
  q('tr.case').forEach(function(r){
    var feat=!f||(' '+r.getAttribute('data-features')+' ').indexOf(' '+f+' ')>=0;
    var any=q('td.cell',r).some(function(c){return ps.indexOf(c.getAttribute('data-p'))>=0&&vs.indexOf(c.getAttribute('data-v'))>=0;});
    var show=feat&&any;r.classList.toggle('hidden',!show);if(show)live[r.getAttribute('data-group')]=1;
  });
  q('tr.feature').forEach(function(r){r.classList.toggle('hidden',!live[r.getAttribute('data-group')]);});
}
q('#filters input,#filters select').forEach(function(i){i.addEventListener('change',apply);});
var m=/[?&]open=([^&]+)/.exec(location.search);
if(m){var key=decodeURIComponent(m[1]);var cell=q('td.cell[data-key]').filter(function(c){return c.getAttribute('data-key')===key;})[0];
  if(cell)cell.click();else open(key);}
})();
"""


def _md(s: Any) -> str:
    """Text safe in a GitHub table cell or list item: no pipe, no newline, no markup from a server."""
    return str(s).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _code(s: Any) -> str:
    """Text for inside a code span (where entities would show literally)."""
    return str(s).replace("`", "'").replace("|", "\\|").replace("\n", " ")


def render_matrix_markdown(records: list[dict[str, Any]], root: Path | None = None) -> str:
    """A compact GitHub table (features/cases x providers, a verdict symbol each), a legend, then what did not pass."""
    groups, by = _grid(records, root)
    provs = [r["provider"] for r in records]
    out = [
        "# respcompat compatibility matrix\n",
        "Legend: " + " · ".join(f"{s} {v}" for v, (s, *_r) in VERDICT_STYLE.items()) + ". Only conforms is a pass.\n",
    ]
    for r in records:
        out.append(
            f"- **{_md(r['provider'])}**: model `{_code(r.get('model'))}`, {_md(source_kind(r))}, base URL "
            f"`{_code(r.get('base_url'))}`, record mode `{_code(r.get('record_mode'))}`, started {_md(r.get('started'))}"
            + (f", {recorded_on(r)}" if recorded_on(r) else "")
        )
    out += ["", "| feature / case | " + " | ".join(map(_md, provs)) + " |", "|---" * (len(provs) + 1) + "|"]
    for feat, cases in groups:
        summ = []
        for p in provs:
            vs = [verdict_of(by[(p, c)]) for c, _ in cases if (p, c) in by]
            summ.append(_summary(vs).replace(" conform", "") if vs else "")
        out.append(f"| **{_md(feat)}** | " + " | ".join(summ) + " |")
        for cid, _ in cases:
            out.append(
                f"| `{_code(cid)}` | "
                + " | ".join(VERDICT_STYLE[verdict_of(by[(p, cid)])][0] if (p, cid) in by else "" for p in provs)
                + " |"
            )
    out += _effects_md(records) + _coverage_md(records)
    for r in records:
        bad = [c for c in r.get("cases", []) if verdict_of(c) != "conforms"]
        out.append(f"\n## {_md(r['provider'])}: {len(bad)} of {len(r.get('cases', []))} case(s) not passing\n")
        out += _flaky_md(r)
        if r.get("doc_contradictions"):
            out.append("Where the provider's own documents disagree (both sides are part of its contract):\n")
            for c in r["doc_contradictions"]:
                sides = "; ".join(f"{s_.get('source')}: {s_.get('says')}" for s_ in c.get("sides", []))
                out.append(
                    f"- `{c['id']}` ({c.get('findings', 0)} finding(s) this run): {_md(c.get('summary'))} — {_md(sides)}"
                )
            out.append("")
        for c in bad:
            v = verdict_of(c)
            reason = (c.get("reasons") or [c.get("infra_error") or ""])[0] or ""
            probe = c.get("probe")
            out.append(
                f"- {VERDICT_STYLE[v][0]} `{c['id']}` **{v}**"
                + (f" (probe `{_code(probe.get('parameter'))}`: {_md(probe.get('verdict'))})" if probe else "")
                + (f": {_md(reason)}" if reason else "")
            )
            fs = c.get("findings") or []
            if fs:
                out.append(f"  <details><summary>{len(fs)} finding(s)</summary>\n")
                said: set[str] = set()
                out.extend("  - " + _finding_md(f, r.get("triage_reasons") or {}, said) for f in fs)
                out.append("\n  </details>")
    return "\n".join(out) + "\n"


def _finding_md(f: dict[str, Any], reasons: dict[str, Any] | None = None, said: set[str] | None = None) -> str:
    return (
        f"**{f.get('classification')}** `{f.get('check')}` at `{_code(f.get('pointer') or '/')}`"
        + (f" (event {f['event']})" if f.get("event") is not None else "")
        + f": {_md(f.get('message'))} — expected `{_code(_j(f.get('expected'), 80))}`, actual `{_code(_j(f.get('actual'), 80))}`"
        + (f"; source: {_md(f['source'])}" if f.get("source") else "")
        + (f"; cassette: {f['cassette']}" if f.get("cassette") else "")
        + _triage_md(triage_of(f.get("triage"), reasons or {}), said if said is not None else set())
    )


def _triage_md(why: dict[str, Any] | None, said: set[str]) -> str:
    if why is None:
        return ""
    if _told(why, said):
        return f"; **known** ({_md(why['id'])}, as above)"
    label = ", ".join(str(x) for x in (why["id"], why["kind"]) if x)
    return f"; **known**{' (' + _md(label) + ')' if label else ''}: {_md(_short_text(str(why['text']), 200))}"


def _short_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _effects_md(records: list[dict[str, Any]]) -> list[str]:
    """The parameter-effects table for GitHub, and the evidence per cell folded under it."""
    rs = _with(records, "parameter_effects")
    if not rs:
        return []
    provs = [str(r["provider"]) for r in rs]
    out = [
        "\n## Parameter effects\n",
        "What sending each parameter did: "
        + " · ".join(f"{s} {v}" for v, (s, *_r) in EFFECT_STYLE.items())
        + "; (M) model-dependent: the verdict rests on what the model wrote.\n",
        "| parameter | " + " | ".join(map(_md, provs)) + " |",
        "|---" * (len(provs) + 1) + "|",
    ]
    evidence = []
    for prm in sorted({str(k) for r in rs for k in r["parameter_effects"]}):
        cells = []
        for r in rs:
            e = r["parameter_effects"].get(prm)
            if not isinstance(e, dict):
                cells.append("")
                continue
            sym, word, _ = _effect_style(e.get("verdict"))
            m = " (M)" if e.get("model_dependent") else ""
            cells.append(f"{sym} {_md(word)}{m}")
            evidence.append(
                f"- **{_md(r['provider'])}** `{_code(prm)}` {sym} {_md(word)}{m}: {_md(e.get('evidence', ''))}"
                + (f" (case `{_code(e['case'])}`)" if e.get("case") else "")
                + (f"; documented at {_md(e['source'])}" if e.get("source") else "")
            )
        out.append(f"| `{_code(prm)}` | " + " | ".join(cells) + " |")
    if evidence:
        out += ["", f"<details><summary>Evidence ({len(evidence)})</summary>\n", *evidence, "\n</details>"]
    return out


def _coverage_md(records: list[dict[str, Any]]) -> list[str]:
    """Coverage for GitHub: totals per provider, outcomes per parameter, what was not sent and why, refused values."""
    rs = [r for r in records if _d(r.get("coverage")) or _d(r.get("generation"))]
    if not rs:
        return []
    out = [
        "\n## Coverage\n",
        "| provider | parameters exercised / documented | enum values exercised | not exercised | generated requests |",
        "|---|---|---|---|---|",
    ]
    for r in rs:
        cov, g = _d(r.get("coverage")), _d(r.get("generation"))
        t = _d(cov.get("totals"))
        out.append(
            f"| {_md(r['provider'])} | {_ratio(t.get('exercised'), t.get('parameters'))} | "
            f"{_ratio(t.get('enum_values_exercised'), t.get('enum_values'))} | {len(_d(cov.get('not_exercised')))} | "
            f"{_md(_generation_text(g))} |"
        )
    cs = [r for r in rs if _d(_d(r.get("coverage")).get("parameters"))]
    if cs:
        abbr = ", ".join(f"{a} {k}" for k, a in OUTCOME_ABBR.items())
        out += [
            "",
            f"Requests per parameter ({abbr}; `undoc.`: not in the provider's documented contract):\n",
            "| parameter | " + " | ".join(_md(r["provider"]) for r in cs) + " |",
            "|---" * (len(cs) + 1) + "|",
        ]
        for prm in sorted({str(k) for r in cs for k in r["coverage"]["parameters"]}):
            cells = []
            for r in cs:
                po = r["coverage"]["parameters"].get(prm)
                if not isinstance(po, dict):
                    cells.append("")
                    continue
                o = _outcomes_text(po)
                cells.append(
                    _md(
                        f"{po.get('sent', 0)}"
                        + (f": {o}" if o else "")
                        + (" undoc." if po.get("documented") is False else "")
                    )
                )
            out.append(f"| `{_code(prm)}` | " + " | ".join(cells) + " |")
    for r in rs:
        cov = _d(r.get("coverage"))
        ne = _d(cov.get("not_exercised"))
        refused = [
            f"`{_code(prm)}` = `{_code(_j(v, 80))}` {_md(o)}"
            for prm, po in _d(cov.get("parameters")).items()
            for v, o in _d(_d(po).get("values")).items()
            if o != "accepted"
        ]
        if ne:
            out.append(f"\nNot exercised on {_md(r['provider'])}:\n")
            out.extend(f"- `{_code(k)}`: {_md(v)}" for k, v in ne.items())
        if refused:
            out.append(f"\nValues not accepted on {_md(r['provider'])}: " + "; ".join(refused))
    return out


def _flaky_md(r: dict[str, Any]) -> list[str]:
    """One provider's flaky generated requests (its seed and counts are in the coverage table)."""
    out: list[str] = []
    flaky = _flaky(_d(r.get("generation")))
    if flaky:
        out.append(f"Flaky: {len(flaky)} generated request(s) whose outcome changed between repeats:\n")
        out.extend(
            f"- `{_code(f.get('case'))}` `{_code(f.get('request', ''))}`: {_md(' → '.join(map(str, f.get('verdicts') or [])))}"
            for f in flaky
        )
        out.append("")
    return out
