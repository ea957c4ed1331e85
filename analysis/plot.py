#!/usr/bin/python3
"""Figures from moesim's CSV files, for `moesim plot` (which runs this with /usr/bin/python3).

    plot.py FILE --kind line|bar|cdf|heatmap|timeline [--x KEY] [--y KEY] [--hue KEY]
            [--col KEY] [--value METRIC] [--where KEY=VALUE ...] [--error ci95|std|none]
            --out PREFIX

FILE is a results.csv (of `moesim run` or `moesim sweep`), a flows.csv, a links.csv, a
phases.csv (--kind timeline: a Gantt chart per run), or a traffic matrix (CSV of numbers, one
row per source). Writes PREFIX.png and PREFIX.svg (through temporary names, so nothing
half-written is left) and prints `series: N`, the number of lines, bar groups, curves, heatmap
panels or timeline panels drawn. Rows of a sweep whose status is not ok are left
out; --where KEY=VALUE keeps the rows whose KEY is VALUE. Rows that share (col, hue, x) make
one point and are averaged -- but only over seeds: rows of one point that differ in another
parameter (a results.csv's options, another CSV's text columns) are refused, naming the
columns, so a mean never mixes unlike runs silently. Line, bar and heatmap figures print
`points: N, rows per point: R[, averaged over COLUMNS]`. The error bars show the 95 %
confidence interval of the mean (Student t) or the standard deviation over the seeds.
Bad input: one line `moesim: error: ...` on stderr and exit code 2.
"""
import argparse
import math
import os
import re
import sys


def fail(message):
    print(f"moesim: error: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
except ImportError as e:
    fail(f"moesim plot: {sys.executable} cannot import {e.name}: expected Debian's "
         "python3-matplotlib and python3-pandas (apt-get install python3-matplotlib "
         "python3-pandas)")

# Units of values written as text (DESIGN.md §3): name -> (factor to the base unit, base unit).
SIZE_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1024**2,
              "GiB": 1024**3}
RATE_UNITS = {"bps": 1, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9, "Tbps": 1e12, "G": 1e9,
              "T": 1e12, "Gb/s": 1e9, "Tb/s": 1e12}
TIME_UNITS = {"ps": 1e-12, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}
QUANTITY = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z/]*)\s*$")

# Column-name suffixes and names -> unit shown on the axis.
SUFFIX_UNITS = [("_us", "µs"), ("_ms", "ms"), ("_ns", "ns"), ("_ps", "ps"), ("_s", "s"),
                ("_bytes", "bytes"), ("_gbps", "Gb/s")]
NAME_UNITS = {"bytes": "bytes", "utilization": "fraction of capacity", "wall_s": "s",
              "oversubscription": "ratio", "cct_over_bound": "ratio", "size": "bytes",
              "buffer": "bytes", "mtu": "bytes", "host-rate": "bit/s", "fabric-rate": "bit/s",
              "latency": "s", "max_link_util": "fraction of capacity",
              "mean_fabric_util": "fraction of capacity"}
UPPER = {"cct", "fct", "ecmp", "mtu", "ecn", "rto", "nic", "gpu", "gpus"}
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042]  # Student t, 0.975 quantile, 1..30 dof


def quantity(text):
    """A number, or a number with a size, rate or time unit, in its base unit; else None."""
    m = QUANTITY.match(str(text))
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2)
    for table in (SIZE_UNITS, RATE_UNITS, TIME_UNITS):
        if unit in table:
            return value * table[unit]
    return value if unit == "" else None


def label(column):
    unit, name = None, column
    for suffix, u in SUFFIX_UNITS:
        if column.endswith(suffix):
            unit, name = u, column[: -len(suffix)]
            break
    if column.endswith("_util"):
        unit = "fraction of capacity"
    unit = NAME_UNITS.get(column, unit)
    name = name.replace("_over_", " / ")
    words = [w.upper() if w in UPPER else w for w in re.split(r"[_\- ]", name) if w]
    text = " ".join(words)
    text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def ordered(values):
    """Distinct values in a readable order: by magnitude when all are quantities, else in
    order of first appearance (the order of the run or the sweep)."""
    distinct = list(dict.fromkeys(values))
    keys = [quantity(v) for v in distinct]
    if all(k is not None for k in keys):
        return [v for _, v in sorted(zip(keys, distinct), key=lambda p: p[0])]
    return distinct


def half_width(std, n, error):
    if error == "none" or n < 2 or not math.isfinite(std):
        return 0.0
    if error == "std":
        return std
    t = T975[n - 2] if n - 1 <= len(T975) else 1.96
    return t * std / math.sqrt(n)


def parse_args(argv):
    class Parser(argparse.ArgumentParser):
        def error(self, message):
            fail(f"plot: {message}")

    p = Parser(prog="moesim plot", description=__doc__.split("\n")[0])
    p.add_argument("file")
    p.add_argument("--kind", default="line", choices=["line", "bar", "cdf", "heatmap", "timeline"])
    p.add_argument("--x")
    p.add_argument("--y")
    p.add_argument("--hue")
    p.add_argument("--col")
    p.add_argument("--value")
    p.add_argument("--where", action="append", default=[])
    p.add_argument("--error", default="ci95", choices=["ci95", "std", "none"])
    p.add_argument("--title")
    p.add_argument("--logx", action="store_true")
    p.add_argument("--logy", action="store_true")
    p.add_argument("--out", required=True)
    return p.parse_args(argv)


def is_matrix(path):
    with open(path, encoding="utf-8") as f:
        first = f.readline().strip()
    cells = [c for c in first.split(",")]
    return bool(first) and all(quantity(c) is not None for c in cells)


def read_table(args):
    if not os.path.isfile(args.file):
        fail(f"plot: '{args.file}': no such file: expected a CSV written by moesim")
    try:
        df = pd.read_csv(args.file)
    except Exception as e:  # pandas raises several types for malformed files
        fail(f"plot: '{args.file}': {str(e).splitlines()[0]}: expected a CSV with a header")
    if "status" in df.columns:
        df = df[df["status"] == "ok"]
    for cond in args.where:
        key, sep, value = cond.partition("=")
        if not sep:
            fail(f"--where: '{cond}': expected KEY=VALUE")
        need_column(df, key, "--where", args.file)
        keep = matches(df[key], value)
        if not keep.any():
            fail(f"--where {cond}: no row of {args.file} has {key} = '{value}'"
                 + (" among the rows left by the other --where" if len(args.where) > 1 else "")
                 + f": expected one of {listing(df[key])}")
        df = df[keep]
    if df.empty:
        fail(f"plot: '{args.file}': no rows to plot (after dropping points whose status is not "
             "ok and applying --where): expected some")
    return df


def need_column(df, name, option, path):
    if name not in df.columns:
        fail(f"{option} '{name}': no such column in {path}: expected one of "
             + ", ".join(df.columns))


def need_numeric(df, name, option):
    if not pd.api.types.is_numeric_dtype(df[name]):
        fail(f"{option} '{name}': not numeric: expected a metric column such as cct_us")


def panels(n):
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols + 1.5, 3.9 * rows), squeeze=False,
                             sharey=True)
    for extra in axes.flat[n:]:
        extra.set_visible(False)
    return fig, list(axes.flat[:n])


def facets(df, col):
    if not col:
        return [(None, df)]
    return [(v, df[df[col] == v]) for v in ordered(df[col].tolist())]


def matches(column, value):
    """Rows whose cell is `value`: as text, or as the same quantity (1 = 1.0, 1KiB = 1024)."""
    text = column.astype(str) == value
    want = quantity(value)
    if want is None:
        return text
    return text | column.map(lambda v: quantity(v) == want)


def listing(column, limit=8):
    values = [str(v) for v in ordered(column.tolist())]
    more = f", ... ({len(values)} values)" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


# Columns that name a row rather than describe it (a sweep's point id, its outcome), and
# columns whose values a point averages on purpose (the seeds of a sweep).
ID_COLUMNS = {"point", "status", "message"}
REPLICATE_COLUMNS = ["seed"]


def parameter_columns(df):
    """The columns that say what a row is, not what was measured: in a results.csv (moesim
    run or sweep) the resolved options, which come before the first metric, cct_us; in any
    other CSV its text columns (run, transport, trace, policy, ...)."""
    cols = list(df.columns)
    if "cct_us" in cols:
        params = cols[: cols.index("cct_us")]
    else:
        params = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    return [c for c in params if c not in ID_COLUMNS]


def check_points(df, keys, measured, args):
    """A point of the figure is the rows that share `keys`. Refuses (exit 2) when those rows
    differ in a parameter other than a replicate column, since the mean would mix unlike
    runs; else prints how many rows each point holds and which columns it averages over.
    Returns the replicate columns averaged over."""
    params = [c for c in parameter_columns(df) if c not in keys and c not in measured]
    groups = df.groupby(keys, sort=False, dropna=False)
    spread = groups[params].nunique(dropna=False).max() if params else {}
    varying = [c for c in params if spread[c] > 1]
    mixed = [c for c in varying if c not in REPLICATE_COLUMNS]
    if mixed:
        what = "; ".join(f"{c} ({listing(df[c])})" for c in mixed)
        fail(f"plot: rows of {args.file} that share {', '.join(keys)} differ in {what}: each "
             "point would average them: expected --where KEY=VALUE to keep one value or "
             f"--col / --hue to split them (e.g. --where {mixed[0]}={df[mixed[0]].iloc[0]})")
    sizes = groups.size()
    lo, hi = int(sizes.min()), int(sizes.max())
    rows = f"{lo}" if lo == hi else f"{lo}-{hi}"
    if hi == 1:
        print(f"points: {len(sizes)}, rows per point: 1")
    else:
        over = "; ".join(f"{c} ({listing(df[c])})" for c in varying) or "nothing"
        print(f"points: {len(sizes)}, rows per point: {rows}, averaged over {over}")
    return varying


def plot_xy(df, args):
    for opt in ("x", "y"):
        if not getattr(args, opt):
            fail(f"--{opt}: missing: expected a column of {args.file} (--kind {args.kind})")
    for opt in ("x", "y", "hue", "col"):
        if getattr(args, opt):
            need_column(df, getattr(args, opt), f"--{opt}", args.file)
    need_numeric(df, args.y, "--y")
    keys = list(dict.fromkeys(k for k in (args.col, args.hue, args.x) if k))
    averaged = check_points(df, keys, {args.y}, args)
    stats = df.groupby(keys, sort=False)[args.y].agg(["mean", "std", "count"]).reset_index()
    replicas = int(stats["count"].max())
    xs = ordered(df[args.x].tolist())
    numeric_x = pd.api.types.is_numeric_dtype(df[args.x]) and args.kind == "line"
    hues = ordered(df[args.hue].tolist()) if args.hue else [None]
    groups = facets(stats, args.col)
    fig, axes = panels(len(groups))
    series = 0
    width = 0.8 / len(hues)
    for ax, (cval, part) in zip(axes, groups):
        for h, hval in enumerate(hues):
            s = part if hval is None else part[part[args.hue] == hval]
            if s.empty:
                continue
            s = s.set_index(args.x).reindex([x for x in xs if x in set(s[args.x])])
            err = [half_width(sd, int(n), args.error) for sd, n in zip(s["std"], s["count"])]
            name = str(hval) if hval is not None else label(args.y)
            if args.kind == "line":
                pos = list(s.index) if numeric_x else [xs.index(x) for x in s.index]
                ax.errorbar(pos, s["mean"], yerr=err if replicas > 1 else None, marker="o",
                            capsize=3, label=name, color=f"C{h % 10}")
            else:
                pos = [xs.index(x) - 0.4 + width * (h + 0.5) for x in s.index]
                ax.bar(pos, s["mean"], width=width, yerr=err if replicas > 1 else None,
                       capsize=3, label=name, color=f"C{h % 10}")
            series += 1
        if not numeric_x:
            ax.set_xticks(range(len(xs)))
            ax.set_xticklabels([str(x) for x in xs], rotation=30 if len(xs) > 6 else 0)
        ax.set_xlabel(label(args.x))
        if args.logx and numeric_x:
            ax.set_xscale("log")
        if args.logy:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        if cval is not None:
            ax.set_title(f"{args.col} = {cval}")
    if args.kind == "bar":  # once all panels are drawn: the axes share y, so set_ylim on
        axes[0].set_ylim(bottom=0)  # the first before the others froze their range
    axes[0].set_ylabel(label(args.y))
    note = ""
    if replicas > 1 and args.error != "none":
        what = "95% CI" if args.error == "ci95" else "± 1 std"
        over = "seeds" if averaged == ["seed"] else "rows"
        note = f" (mean, {what} over up to {replicas} {over})"
    title = args.title or f"{label(args.y)} vs {label(args.x)}{note}"
    finish(fig, axes, title, args.hue)
    return fig, series


def plot_cdf(df, args):
    if args.y:
        fail("--y: not used by --kind cdf (the y axis is the CDF): expected --x VALUE only")
    x = args.x or ("fct_us" if "fct_us" in df.columns else None)
    if not x:
        fail(f"--x: missing: expected the column whose CDF to draw, one of {', '.join(df.columns)}")
    need_column(df, x, "--x", args.file)
    need_numeric(df, x, "--x")
    hue = args.hue or ("run" if "run" in df.columns else None)
    for opt, name in (("--hue", hue), ("--col", args.col)):
        if name:
            need_column(df, name, opt, args.file)
    groups = facets(df, args.col)
    fig, axes = panels(len(groups))
    series = 0
    hues = ordered(df[hue].tolist()) if hue else [None]
    for ax, (cval, part) in zip(axes, groups):
        for h, hval in enumerate(hues):
            s = part if hval is None else part[part[hue] == hval]
            if s.empty:
                continue
            v = np.sort(s[x].to_numpy(dtype=float))
            ax.step(v, np.arange(1, len(v) + 1) / len(v), where="post", color=f"C{h % 10}",
                    label=str(hval) if hval is not None else label(x))
            series += 1
        ax.set_xlabel(label(x))
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
        if args.logx:
            ax.set_xscale("log")
        if cval is not None:
            ax.set_title(f"{args.col} = {cval}")
    axes[0].set_ylabel("fraction of rows (CDF)" if x != "fct_us" else "fraction of flows (CDF)")
    finish(fig, axes, args.title or f"CDF of {label(x)}", hue)
    return fig, series


def plot_matrix(args):
    rows = []
    with open(args.file, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            cells = [quantity(c) for c in line.strip().split(",")]
            if any(c is None for c in cells):
                fail(f"{args.file}:{lineno}: not a number or size: expected a traffic matrix "
                     "of byte counts")
            rows.append(cells)
    if any(len(r) != len(rows[0]) for r in rows):
        fail(f"{args.file}: rows of different lengths: expected a square traffic matrix")
    fig, axes = panels(1)
    im = axes[0].imshow(np.array(rows), cmap="viridis", aspect="auto", interpolation="nearest")
    fig.colorbar(im, ax=axes[0], label="bytes")
    axes[0].set_xlabel("destination host")
    axes[0].set_ylabel("source host")
    fig.suptitle(args.title or f"Traffic matrix ({len(rows)} hosts)")
    fig.tight_layout()
    return fig, 1


def plot_heatmap(df, args):
    x = args.x or ("link" if "link" in df.columns else None)
    y = args.y or ("run" if "run" in df.columns else None)
    value = args.value or ("utilization" if "utilization" in df.columns else None)
    for opt, name in (("--x", x), ("--y", y), ("--value", value)):
        if not name:
            fail(f"{opt}: missing: expected a column of {args.file}: {', '.join(df.columns)}")
        need_column(df, name, opt, args.file)
    if args.col:
        need_column(df, args.col, "--col", args.file)
    need_numeric(df, value, "--value")
    check_points(df, list(dict.fromkeys(k for k in (args.col, y, x) if k)), {value}, args)
    groups = facets(df, args.col)
    fig, axes = panels(len(groups))
    vmin, vmax = df[value].min(), df[value].max()
    im = None
    for ax, (cval, part) in zip(axes, groups):
        table = part.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
        table = table.reindex(index=ordered(table.index.tolist()),
                              columns=ordered(table.columns.tolist()))
        im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis", aspect="auto",
                       interpolation="nearest", vmin=vmin, vmax=vmax)
        for axis, labels, setter in ((ax.xaxis, table.columns, ax.set_xticks),
                                     (ax.yaxis, table.index, ax.set_yticks)):
            step = max(1, math.ceil(len(labels) / 16))  # at most 16 tick labels per axis
            setter(range(0, len(labels), step))
            (ax.set_xticklabels if axis is ax.xaxis else ax.set_yticklabels)(
                [str(v) for v in labels[::step]])
        if table.shape[0] * table.shape[1] <= 64:
            for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
                if math.isfinite(v):
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", color="w", fontsize=8)
        ax.set_xlabel(label(x))
        if cval is not None:
            ax.set_title(f"{args.col} = {cval}")
    axes[0].set_ylabel(label(y))
    fig.colorbar(im, ax=axes, label=label(value))
    fig.suptitle(args.title or f"{label(value)} by {label(y)} and {label(x)}")
    return fig, len(groups)


# The step DAG's phases (workloads/step_dag.hpp) in execution order, for stable colours; the
# compute phases are drawn full height, communication thinner in a sub-lane of its kind.
PHASES = ["attention", "tp-allreduce", "dispatch", "expert", "combine", "pp-send",
          "combine-grad", "expert-bwd", "dispatch-grad", "attention-bwd", "dp-grad",
          "expert-grad", "optimizer"]
COMPUTE = {"attention", "expert", "attention-bwd", "expert-bwd", "optimizer"}
COMM_OFFSET = {"dispatch": -0.22, "combine": -0.22, "combine-grad": -0.22,
               "dispatch-grad": -0.22, "tp-allreduce": 0.0, "pp-send": 0.0, "dp-grad": 0.22,
               "expert-grad": 0.22}  # lane centre + offset; unknown phases at 0


def plot_timeline(df, args):
    for opt in ("x", "y", "hue", "col", "value"):
        if getattr(args, opt):
            fail(f"--{opt}: not used by --kind timeline (lanes are stages, bars phases): "
                 "expected a phases.csv and at most --where, --title, --out")
    for name in ("stage", "phase", "start_us", "finish_us"):
        if name not in df.columns:
            fail(f"plot: '{args.file}': no column '{name}': expected the columns of a "
                 "phases.csv (moesim run --detail phases)")
    for name in ("stage", "start_us", "finish_us"):
        if not pd.api.types.is_numeric_dtype(df[name]) or df[name].isna().any():
            fail(f"plot: '{args.file}': column '{name}' is not numeric in every row: expected "
                 "numbers as moesim run --detail phases writes them")
    if (df["finish_us"] < df["start_us"]).any():
        fail(f"plot: '{args.file}': column 'finish_us' is before start_us in some row: "
             "expected finish_us >= start_us")
    phases = [p for p in PHASES if p in set(df["phase"])]
    phases += [p for p in ordered(df["phase"].astype(str).tolist()) if p not in phases]
    cmap = plt.get_cmap("tab20")
    colour = {p: cmap(i % 20) for i, p in enumerate(phases)}
    runs = ordered(df["run"].tolist()) if "run" in df.columns else [None]
    stages = sorted(int(s) for s in set(df["stage"]))
    fig, axes = plt.subplots(len(runs), 1, sharex=True, squeeze=False,
                             figsize=(11, (0.7 * len(stages) + 1.4) * len(runs)))
    axes = list(axes.flat)
    for ax, run in zip(axes, runs):
        part = df if run is None else df[df["run"] == run]
        for phase in phases:
            rows = part[part["phase"] == phase]
            for stage, lane in rows.groupby("stage"):
                spans = list(zip(lane["start_us"], lane["finish_us"] - lane["start_us"]))
                if phase in COMPUTE:
                    y, height, z = stage - 0.4, 0.8, 1
                else:
                    y, height, z = stage + COMM_OFFSET.get(phase, 0.0) - 0.09, 0.18, 2
                ax.broken_barh(spans, (y, height), facecolors=colour[phase], edgecolor="none",
                               alpha=0.9, zorder=z, label=phase)
        ax.set_yticks(stages)
        ax.set_yticklabels([f"stage {s}" for s in stages])
        ax.set_ylim(max(stages) + 0.6, min(stages) - 0.6)  # stage 0 on top
        ax.grid(True, axis="x", alpha=0.3)
        if run is not None:
            ax.set_title(f"run {run}")
    axes[-1].set_xlabel("Time (µs)")
    finish(fig, axes, args.title or "Phases by pipeline stage (compute full height, "
           "communication thin)", "phase")
    return fig, len(runs)


def finish(fig, axes, title, legend_title):
    columns = min(len(axes), 3)
    for i, ax in enumerate(axes):
        if i % columns == 0:
            ax.set_ylabel(axes[0].get_ylabel())
    entries = {}  # label -> handle, over every panel (a panel may lack some series)
    for ax in axes:
        for handle, name in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(name, handle)
    handles, names = list(entries.values()), list(entries.keys())
    fig.suptitle(title)
    fig.tight_layout()
    if names:
        fig.legend(handles, names, title=legend_title, loc="center left",
                   bbox_to_anchor=(1.0, 0.5), frameon=False)


def save(fig, prefix):
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    written = []
    for fmt in ("png", "svg"):
        tmp = f"{prefix}.{fmt}.tmp"
        fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")
        written.append((tmp, f"{prefix}.{fmt}"))
    for tmp, final in written:
        os.replace(tmp, final)
    return [final for _, final in written]


def main(argv):
    args = parse_args(argv)
    if args.kind == "heatmap" and os.path.isfile(args.file) and is_matrix(args.file):
        fig, series = plot_matrix(args)
    else:
        df = read_table(args)
        if args.kind in ("line", "bar"):
            fig, series = plot_xy(df, args)
        elif args.kind == "cdf":
            fig, series = plot_cdf(df, args)
        elif args.kind == "timeline":
            fig, series = plot_timeline(df, args)
        else:
            fig, series = plot_heatmap(df, args)
    files = save(fig, args.out)
    print(f"wrote {', '.join(files)}")
    print(f"series: {series}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
