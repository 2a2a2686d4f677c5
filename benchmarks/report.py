"""Tables (Markdown) and charts (PNG) from the raw results of a run.

    python benchmarks/report.py [RESULTS_DIR]      # re-render without re-running

Reads ``pyperf-*.json``, ``probe.json``, ``threads.json``, ``machine.json``
(and ``memory.json``) from the results folder; writes ``benchmarks.md``,
``verify.png``, ``sign.png``, ``sizes.png``, ``jwe.png``, ``threads.png``
(and ``memory.md``).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contenders as C  # noqa: E402
from _common import ALGORITHMS, JWE_CASES, PEM_ALGORITHMS, RESULTS, SIZES  # noqa: E402

Medians = Dict[str, float]  # benchmark name -> median seconds


def load_medians(outdir: Path) -> Tuple[Medians, Dict[str, int]]:
    import pyperf

    medians: Medians = {}
    counts: Dict[str, int] = {}
    for path in sorted(outdir.glob("pyperf-*.json")):
        for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
            values = bench.get_values()
            medians[bench.get_name()] = statistics.median(values)
            counts[bench.get_name()] = len(values)
    return medians, counts


def fmt_us(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    us = seconds * 1e6
    return f"{us:.3f}" if us < 1 else f"{us:.2f}" if us < 100 else f"{us:.1f}" if us < 1000 else f"{us:,.0f}"


def fmt_ops(seconds: Optional[float]) -> str:
    return "—" if seconds is None else f"{1 / seconds:,.0f}"


def fmt_ratio(x: Optional[float]) -> str:
    if x is None:
        return "—"
    return f"{x:.0f}×" if x >= 100 else f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


class Report:
    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.medians, self.counts = load_medians(outdir)
        self.probe: Dict[str, Dict[str, Any]] = _load(outdir / "probe.json", {})
        self.machine: Dict[str, Any] = _load(outdir / "machine.json", {})
        self.threads: Dict[str, Any] = _load(outdir / "threads.json", {})
        self.memory: Optional[Dict[str, Any]] = _load(outdir / "memory.json", None)
        self.machine_memory: Dict[str, Any] = _load(outdir / "machine-memory.json", {})
        self.fixture_sizes: Dict[str, int] = _load(outdir / "sizes.json", {})

    def get(self, name: str) -> Optional[float]:
        return self.medians.get(name)

    def note(self, name: str) -> str:
        if name in self.medians:
            n = (self.probe.get(name) or {}).get("note")
            return n or ""
        p = self.probe.get(name)
        if p is None:
            return "not measured"
        return p.get("note") or "not measured"

    # ------------------------------------------------------------------ tables

    def per_algorithm(self, section: str, rows: Sequence[C.Contender], baseline: str, what: str,
                      cases: Sequence[str] = ALGORITHMS, baseline_label: str = "PyJWT") -> List[str]:
        """One table per case of ``section``: time, throughput, speed-up vs ``baseline``, cost vs the floor."""
        out: List[str] = []
        for alg in cases:
            names = [f"{section}/{alg}/{c.key}" for c in rows]
            if not any(n in self.medians for n in names):
                continue
            base = self.get(f"{section}/{alg}/{baseline}")
            floor = self.get(f"{section}/{alg}/floor")
            out += [
                f"#### {_case_title(section, alg)}",
                "",
                f"| contender | µs/{what} | {what}s/s | speed-up vs {baseline_label} | cost vs floor | note |",
                "|---|---:|---:|---:|---:|---|",
            ]
            for c, name in zip(rows, names):
                t = self.get(name)
                speedup = base / t if (t and base) else None
                over_floor = t / floor if (t and floor) else None
                out.append(
                    f"| {c.label} | {fmt_us(t)} | {fmt_ops(t)} | {fmt_ratio(speedup)} | "
                    f"{fmt_ratio(over_floor)} | {self.note(name)} |"
                )
            out.append("")
        return out

    def summary(self) -> List[str]:
        cols = [
            ("cyjose-verifier", "cyjose Verifier"),
            ("cyjose-decode", "cyjose decode()"),
            ("cyjose-cache", "cyjose cache hit"),
            ("cyjose-verifier-pure", "cyjose pure Verifier"),
            ("pyjwt", "PyJWT"),
            ("oxyjwt", "oxyjwt"),
            ("webtoken", "webtoken"),
            ("floor", "floor"),
        ]
        out = [
            "| algorithm | " + " | ".join(label for _, label in cols) + " | Verifier vs PyJWT | Verifier vs oxyjwt |",
            "|---|" + "---:|" * (len(cols) + 2),
        ]
        for alg in ALGORITHMS:
            cells = []
            for key, _ in cols:
                t = self.get(f"verify/{alg}/{key}")
                cells.append(fmt_us(t) if t else ("n/a" if f"verify/{alg}/{key}" in self.probe else "—"))
            v, p, o = (self.get(f"verify/{alg}/{k}") for k in ("cyjose-verifier", "pyjwt", "oxyjwt"))
            cells.append(fmt_ratio(p / v) if (p and v) else "—")
            cells.append(fmt_ratio(o / v) if (o and v) else "—")
            out.append(f"| {alg} | " + " | ".join(cells) + " |")
        if not any(self.get(f"verify/{alg}/cyjose-cache") for alg in ALGORITHMS):
            out += ["", "cyjose cache hit: " + (self.note("verify/HS256/cyjose-cache") or "not measured") + "."]
        return out

    def targets(self) -> List[str]:
        """The speed targets of issue 3, each with the figure this run measured."""
        g = lambda name: self.get(name)  # noqa: E731
        rows: List[Tuple[str, Optional[str], Optional[bool]]] = []

        def ratio(target: str, num: Optional[float], den: Optional[float], at_least: float) -> None:
            r = num / den if (num and den) else None
            rows.append((target, None if r is None else fmt_ratio(r), None if r is None else r >= at_least))

        ver = lambda alg: g(f"verify/{alg}/cyjose-verifier")  # noqa: E731
        ratio("HS256 Verifier ≥ 2.5× oxyjwt's throughput", g("verify/HS256/oxyjwt"), ver("HS256"), 2.5)
        ratio("HS256 Verifier ≥ 35× PyJWT's throughput", g("verify/HS256/pyjwt"), ver("HS256"), 35)
        ratio("HS256 decode() ≥ 1.3× oxyjwt's throughput", g("verify/HS256/oxyjwt"), g("verify/HS256/cyjose-decode"), 1.3)
        for alg in ("RS256", "PS256"):
            v, f, o = ver(alg), g(f"verify/{alg}/floor"), g(f"verify/{alg}/oxyjwt")
            rows.append((f"{alg} Verifier ≤ 1 µs above the floor",
                         None if not (v and f) else f"{(v - f) * 1e6:+.2f} µs", None if not (v and f) else v - f <= 1e-6))
            ratio(f"{alg} Verifier faster than oxyjwt", o, v, 1.0)
        for alg in ("ES256", "EdDSA"):
            v, f = ver(alg), g(f"verify/{alg}/floor")
            rows.append((f"{alg} Verifier within 5% of the floor (cryptography's verify)",
                         None if not (v and f) else f"{v / f:.2f}× floor", None if not (v and f) else v <= 1.05 * f))
        c = g("verify/RS256/cyjose-cache")
        rows.append(("cache hit < 0.5 µs (RS256 token)", None if c is None else f"{c * 1e6:.3f} µs",
                     None if c is None else c < 0.5e-6))
        ratio("cache hit ≥ 40× an uncached RS256 Verifier", ver("RS256"), c, 40)
        ratio("pure-Python Verifier HS256 ≥ 2× PyJWT", g("verify/HS256/pyjwt"), g("verify/HS256/cyjose-verifier-pure"), 2)
        _, series = self.size_table()
        sv, so = _slope(*series.get("cyjose-verifier", ([], []))), _slope(*series.get("oxyjwt", ([], [])))
        rows.append(("size slope ≤ oxyjwt's (HS256)",
                     None if sv is None or so is None else f"{sv:.2f} vs {so:.2f} µs/KiB",
                     None if sv is None or so is None else sv <= so))
        runs = self.threads.get("results", {}).get("cyjose-verifier", {})
        for alg in ("RS256", "ES256", "EdDSA"):
            r = runs.get(alg)
            x = (statistics.median(v["2"] for v in r) / statistics.median(v["1"] for v in r)) if r else None
            rows.append((f"{alg}: 2 threads ≥ 1.6× one thread", None if x is None else fmt_ratio(x),
                         None if x is None else x >= 1.6))
        out = ["| target | measured | met |", "|---|---:|:---:|"]
        for target, measured, met in rows:
            out.append(f"| {target} | {measured or 'not measured'} | "
                       f"{'—' if met is None else 'yes' if met else '**no**'} |")
        return out

    def size_table(self) -> Tuple[List[str], Dict[str, Tuple[List[float], List[float]]]]:
        kb = {s: self.fixture_sizes.get(str(s), s) / 1024 for s in SIZES}
        out = [
            "| contender | " + " | ".join(f"{_size_label(s)} (µs)" for s in SIZES) + " | slope µs/KiB | note |",
            "|---|" + "---:|" * (len(SIZES) + 1) + "---|",
        ]
        series: Dict[str, Tuple[List[float], List[float]]] = {}
        for key in C.SIZE_KEYS:
            c = C.BY_KEY[key]
            xs, ys, cells, notes = [], [], [], []
            for s in SIZES:
                name = f"size/{s}/{key}"
                t = self.get(name)
                cells.append(fmt_us(t))
                if t:
                    xs.append(kb[s])
                    ys.append(t * 1e6)
                elif self.note(name):
                    notes.append(f"{_size_label(s)}: {self.note(name)}")
            slope = _slope(xs, ys)
            series[key] = (xs, ys)
            out.append(
                f"| {c.label} | " + " | ".join(cells) + f" | {'—' if slope is None else f'{slope:.2f}'} | "
                + "; ".join(notes) + " |"
            )
        return out, series

    def pem_table(self) -> List[str]:
        pairs = [
            ("cyjose Verifier", "cyjose-verifier", None),
            ("cyjose decode()", "cyjose-decode-obj", "cyjose-decode-pem"),
            ("PyJWT decode()", "pyjwt-obj", "pyjwt-pem"),
            ("oxyjwt decode()", "oxyjwt-obj", "oxyjwt-pem"),
            ("webtoken decode()", None, "webtoken-pem"),
            ("joserfc", "joserfc-obj", "joserfc-pem"),
            ("python-jose", "python-jose-obj", "python-jose-pem"),
            ("jwcrypto", "jwcrypto-obj", "jwcrypto-pem"),
        ]
        out: List[str] = []
        for alg in PEM_ALGORITHMS:
            if not any(k.startswith(f"pem/{alg}/") for k in self.medians):
                continue
            out += [
                f"#### {alg}",
                "",
                "| library | key prepared once (µs) | PEM on every call (µs) | PEM cost per call (µs) | note |",
                "|---|---:|---:|---:|---|",
            ]
            for label, obj, pem in pairs:
                to = self.get(f"pem/{alg}/{obj}") if obj else None
                tp = self.get(f"pem/{alg}/{pem}") if pem else None
                extra = f"{(tp - to) * 1e6:+.2f}" if (to and tp) else "—"
                notes = {self.note(f"pem/{alg}/{k}") for k in (obj, pem) if k} - {""}
                if obj is None:
                    notes.add("no prepared-key object for decode()")
                if pem is None:
                    notes.add("prepared by construction")
                out.append(f"| {label} | {fmt_us(to)} | {fmt_us(tp)} | {extra} | {'; '.join(sorted(notes))} |")
            out.append("")
        return out

    def thread_table(self) -> List[str]:
        data = self.threads.get("results", {})
        if not data:
            return ["Not measured in this run."]
        counts = self.threads["thread_counts"]
        out = [
            "| algorithm | contender | " + " | ".join(f"{t} thread{'s' if t > 1 else ''} (ops/s)" for t in counts)
            + " | " + " | ".join(f"{t}T / 1T" for t in counts if t > 1) + " |",
            "|---|---|" + "---:|" * (2 * len(counts) - 1),
        ]
        for alg in self.threads["algorithms"]:
            for key in self.threads["contenders"]:
                runs = data.get(key, {}).get(alg)
                if not runs:
                    continue
                med = {t: statistics.median(r[str(t)] for r in runs) for t in counts}
                label = C.BY_KEY[key].label
                out.append(
                    f"| {alg} | {label} | " + " | ".join(f"{med[t]:,.0f}" for t in counts) + " | "
                    + " | ".join(fmt_ratio(med[t] / med[1]) for t in counts if t > 1) + " |"
                )
        return out

    def machine_lines(self) -> List[str]:
        m = self.machine
        libs = ", ".join(f"{k} {v}" for k, v in m.get("libraries", {}).items())
        return [
            f"- CPU: {m.get('cpu')} — {m.get('cores')} cores ({m.get('machine')}, {m.get('system')})",
            f"- Python: {m.get('python')}; cyjose compiled twins: {m.get('cyjose_native')}; "
            f"cyjose commit {m.get('cyjose_commit', '?')}",
            f"- Libraries: {libs}",
            f"- Date: {m.get('date')}; command: `{m.get('command')}`; wall time {m.get('elapsed', '?')}; "
            f"load average (1/5/15 min) {m.get('load_start', '?')} at the start, {m.get('load_end', '?')} at the end "
            "(a shared machine: load from other work leaves less than two free cores, which shows most in "
            "the threads section)",
            f"- Method: {m.get('method')}",
            *(f"- **Failed (not measured):** {f}" for f in m.get("failures", [])),
        ]

    # ------------------------------------------------------------------ output

    def markdown(self) -> str:
        """The report; a section that this run did not measure (``--sections``) is left out."""
        lines = [
            "# cyjose benchmark results",
            "",
            "Generated by `python benchmarks/run.py" + (" --quick" if self.machine.get("quick") else "") + "`. "
            "Medians; every contender verified the same tokens with the same keys in the same run. "
            "*speed-up vs PyJWT* = PyJWT's time / the row's time; *cost vs floor* = the row's time / the "
            "bare primitive's time (signature check only: `hmac.digest` + `hmac.compare_digest`, or "
            "`cryptography`'s `verify`/`sign`), so 1.00× would be no overhead at all. The machine is shared: "
            "compare rows of one run, not runs of different days.",
            "",
            *self.machine_lines(),
            "",
        ]
        if self.measured("verify/"):
            lines += self.verify_sections()
        if self.measured("sign/"):
            lines += [
                "## Signing (encode) per algorithm",
                "",
                "One claim set signed per call; every library's output was checked to verify with PyJWT.",
                "",
                *self.per_algorithm("sign", C.SIGN, "pyjwt", "token"),
                "![signing time per token](sign.png)",
                "",
            ]
        if self.measured("size/"):
            lines += [
                "## Token size (HS256 verification)",
                "",
                "Payload JSON of about 100 B, 1 KiB, 10 KiB and 100 KiB; slope = least-squares µs per KiB of payload.",
                "",
                *self.size_table()[0],
                "",
                "![time vs payload size](sizes.png)",
                "",
            ]
        if self.measured("pem/"):
            lines += ["## Key as a PEM string on every call vs a prepared key", "", *self.pem_table()]
        if self.measured("jwe/"):
            lines += [
                "## JWE decrypt (compact serialization, A256GCM content encryption)",
                "",
                *self.jwe_intro(),
                "",
                *self.per_algorithm("jwe", C.JWE, "jwcrypto", "token", cases=list(JWE_CASES),
                                    baseline_label="jwcrypto"),
                "![JWE decryption time per token](jwe.png)",
                "",
            ]
        if self.threads.get("results"):
            lines += ["## Threads", "", self.threads_intro(), "", *self.thread_table(), "",
                      "![thread scaling](threads.png)", ""]
        return "\n".join(lines)

    def measured(self, prefix: str) -> bool:
        """Whether this run has any median under ``prefix`` (e.g. ``"jwe/"``)."""
        return any(name.startswith(prefix) for name in self.medians)

    def verify_sections(self) -> List[str]:
        return [
            "## Summary: verify one token (µs/token, decode + signature + exp/aud/iss)",
            "",
            *self.summary(),
            "",
            "![verification time per token](verify.png)",
            "",
            "## Targets (issue 3) as measured in this run",
            "",
            *self.targets(),
            "",
            "## Verification per algorithm",
            "",
            "Each library through its own documented verification API with the key prepared once "
            "(the fastest form it offers), checking `exp`, `aud` and `iss`. Every row was first checked "
            "to reject a bad signature, a wrong audience, a wrong issuer and an expired token; "
            "a row that does not is marked. The cache-hit row verifies the same token again and again "
            "through `Verifier(..., cache_size=1024, cache_ttl=60)`.",
            "",
            *self.per_algorithm("verify", C.VERIFY, "pyjwt", "token"),
        ]

    def jwe_intro(self) -> List[str]:
        size = self.fixture_sizes.get("jwe_plaintext")
        return [
            f"One token decrypted per call; the plaintext is a claims set of {size or 'about 200'} bytes of JSON. "
            "The tokens were encrypted once by cyjose, and every row was first checked to decrypt them, to "
            "refuse a token with a changed tag and to refuse a token of an `alg`/`enc` outside the case's "
            "allow-list (made with the same key); a row that does not is marked. Keys are prepared once: "
            "bytes or a `cryptography` key object for cyjose and python-jose, a JWK object for jwcrypto "
            "and joserfc. *speed-up vs jwcrypto* = jwcrypto's time / the row's time. The floor is the bare "
            "`cryptography` steps on the token's parts, decoded outside the timing: AES-GCM decrypt (dir); "
            "RSA-OAEP-256 decrypt of the CEK + AES-GCM; for ECDH-ES+A256KW, loading the token's `epk` point, "
            "ECDH, Concat KDF, AES key unwrap + AES-GCM.",
        ]

    def threads_intro(self) -> str:
        t = self.threads
        if not t:
            return ""
        return (
            f"Verifications per second of one prepared verifier shared by T threads (N = os.cpu_count() = "
            f"{t.get('cpu_count')}), median of {t.get('runs')} runs of {t.get('duration')} s each, contenders "
            "run round-robin. T threads / 1 thread > 1 only where the library releases the GIL."
        )

    def memory_markdown(self) -> Optional[str]:
        m = self.memory
        if not m:
            return None
        mm = self.machine_memory
        lines = [
            "# cyjose memory check",
            "",
            f"`{mm.get('command', 'python benchmarks/run.py --memory')}` ({m['count']:,} tokens per scenario) — "
            f"{mm.get('cpu')}, {mm.get('cores')} cores; {mm.get('python')}; compiled twins: "
            f"{mm.get('cyjose_native')}; cyjose commit {mm.get('cyjose_commit', '?')}; {mm.get('date')}; "
            f"wall time {mm.get('elapsed', '?')}.",
            "",
            "RSS growth = resident set after the loop − after a warm-up of a tenth of the count; "
            "tracemalloc growth = Python-heap bytes still allocated after the traced loop − before it. "
            "Asymmetric algorithms run count / 100 tokens.",
            "",
            "| scenario | algorithm | tokens | µs/token | RSS growth (KiB) | peak RSS growth (KiB) | "
            "traced tokens | tracemalloc growth (B) |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in m["results"]:
            lines.append(
                f"| {r['scenario']} | {r['alg']} | {r['count']:,} | {r['us_per_token']:.2f} | "
                f"{r['rss_growth'] / 1024:+,.0f} | {r['peak_growth'] / 1024:+,.0f} | "
                f"{r['traced_count']:,} | {r['tracemalloc_growth']:+,} |"
            )
        if not m.get("cache_api"):
            lines += ["", "Verified-token cache: not available in this build."]
        lines += ["", "A leak shows as growth that scales with the number of tokens (one 32-byte object per "
                  "token would be megabytes here); a few KiB are allocator and cache-bookkeeping noise."]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ charts

    def charts(self) -> None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not installed: no charts", file=sys.stderr)
            return
        self._bars(plt, "verify", C.VERIFY, "µs per token verified (log scale)", "verify.png",
                   "Verify one JWT: decode + signature + exp/aud/iss")
        self._bars(plt, "sign", C.SIGN, "µs per token signed (log scale)", "sign.png", "Sign one JWT")
        self._bars(plt, "jwe", C.JWE, "µs per token decrypted (log scale)", "jwe.png",
                   "Decrypt one compact JWE (A256GCM)", cases=list(JWE_CASES))
        _, series = self.size_table()
        if any(xs for xs, _ in series.values()):
            self._size_chart(plt, series)
        self._thread_chart(plt)

    def _size_chart(self, plt, series) -> None:
        fig, ax = plt.subplots(figsize=(9, 5.5))
        for key, (xs, ys) in series.items():
            if xs:
                c = C.BY_KEY[key]
                ax.plot(xs, ys, marker="o", label=c.label, color=_color(plt, key),
                        linestyle="--" if c.floor else "-")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("payload size (KiB, log scale)")
        ax.set_ylabel("µs per token (log scale)")
        ax.set_title("HS256 verification vs token size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        self._save(fig, "sizes.png")

    def _bars(self, plt, section, rows, ylabel, filename, title, cases=ALGORITHMS) -> None:
        import numpy as np

        algs = [a for a in cases if any(self.get(f"{section}/{a}/{c.key}") for c in rows)]
        rows = [c for c in rows if any(self.get(f"{section}/{a}/{c.key}") for a in algs)]
        if not algs:
            return
        fig, ax = plt.subplots(figsize=(14, 6))
        width = 0.85 / len(rows)
        x = np.arange(len(algs))
        for i, c in enumerate(rows):
            ys = [(self.get(f"{section}/{a}/{c.key}") or float("nan")) * 1e6 for a in algs]
            ax.bar(x + (i - (len(rows) - 1) / 2) * width, ys, width, label=c.label,
                   color=_color(plt, c.key), alpha=0.9)
        ax.set_yscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([_case_title(section, a) for a in algs])
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title} — {self.machine.get('cpu', '')}, {self.machine.get('python', '')} (lower is better)")
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.07), frameon=False)
        self._save(fig, filename)

    def _thread_chart(self, plt) -> None:
        import numpy as np

        data = self.threads.get("results", {})
        if not data:
            return
        counts = [t for t in self.threads["thread_counts"] if t > 1]
        algs = self.threads["algorithms"]
        keys = [k for k in self.threads["contenders"] if k in data]
        fig, ax = plt.subplots(figsize=(10, 5))
        width = 0.85 / (len(keys) * len(counts))
        x = np.arange(len(algs))
        i = 0
        for _ki, key in enumerate(keys):
            for t in counts:
                ys = []
                for a in algs:
                    runs = data[key].get(a)
                    ys.append(statistics.median(r[str(t)] for r in runs) / statistics.median(r["1"] for r in runs)
                              if runs else float("nan"))
                ax.bar(x + (i - (len(keys) * len(counts) - 1) / 2) * width, ys, width,
                       label=f"{C.BY_KEY[key].label}, {t} threads", color=_color(plt, key), alpha=0.9 if t == 2 else 0.5)
                i += 1
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(algs)
        ax.set_ylabel("throughput: T threads / 1 thread")
        ax.set_title(f"Thread scaling on {self.machine.get('cores')} cores (higher is better)")
        ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.07), frameon=False)
        self._save(fig, "threads.png")

    def _save(self, fig, filename) -> None:
        fig.tight_layout()
        fig.savefig(self.outdir / filename, dpi=110)
        import matplotlib.pyplot as plt

        plt.close(fig)

    def write(self) -> None:
        if self.medians:
            (self.outdir / "benchmarks.md").write_text(self.markdown())
            self.charts()
        mem = self.memory_markdown()
        if mem:
            (self.outdir / "memory.md").write_text(mem)


_PALETTE = [k for k in dict.fromkeys([c.key for c in C.VERIFY] + [c.key for c in C.SIGN]) if k != "floor"]
#: cyjose's JWE rows take the colours of its Verifier rows: one colour for cyjose in every chart.
_SAME_COLOUR = {"cyjose-decrypt": "cyjose-verifier", "cyjose-decrypt-pure": "cyjose-verifier-pure"}


def _color(plt, key: str):
    """One colour per contender across every chart; the floor is black."""
    if key == "floor":
        return "black"
    return plt.get_cmap("tab20")(_PALETTE.index(_SAME_COLOUR.get(key, key)) % 20)


def _case_title(section: str, case: str) -> str:
    """How a case is headed: the algorithm, or for JWE the ``alg + enc`` pair."""
    if section == "jwe":
        alg, enc, _family = JWE_CASES[case]
        return f"{alg} + {enc}"
    return case


def _size_label(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size // 1024} KiB"


def _slope(xs: List[float], ys: List[float]) -> Optional[float]:
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None


def _load(path: Path, default):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


if __name__ == "__main__":
    Report(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS).write()
