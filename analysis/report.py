#!/usr/bin/python3
"""One self-contained report.html of a moesim run or sweep directory, for `moesim report DIR`.

    report.py DIR

Reads DIR/results.csv (of `moesim run` or `moesim sweep`) and, when they are there,
DIR/links.csv, DIR/phases.csv and DIR/timeseries.csv, and writes DIR/report.html: the options
every row shares, the CCT per transport and model (mean over seeds), the key metrics per row,
and as inline SVG a CCT bar chart, link utilisation (runs x links), the phases timeline and
queue bytes over time per link. The figures are drawn by plot.py's functions, so they look
like `moesim plot`'s. The page has no script and no external resource, so it reads offline.
It is written through a temporary name; bad input writes nothing: one line
`moesim: error: ...` on stderr and exit code 2. Prints `figures: N`.
"""
import argparse
import contextlib
import html
import io
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402  (plot.py beside this file: fail() and the figure functions)

pd, plt = plot.pd, plot.plt
plt.rcParams["svg.hashsalt"] = "moesim"  # deterministic ids, so one input gives one page

# Per-row metrics shown in the table, when the results.csv has them.
KEY_METRICS = ["cct_us", "link_bound_us", "cct_over_bound", "fct_p99_us", "max_link_util",
               "mean_fabric_util", "max_queue_bytes", "drops", "retransmits", "step_us"]
# The frame of every figure. tests/report_test.cpp finds the figures in a screenshot by this
# colour, which none of plot.py's colour maps (tab10, tab20, viridis) produce.
FRAME = "#c8553d"
CSS = f"""
body {{ font-family: sans-serif; margin: 24px; color: #222; background: #fff; }}
table {{ border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
th {{ background: #f2f2f2; }}
td.text, th.text {{ text-align: left; }}
div.wide {{ overflow-x: auto; }}
figure.fig {{ border: 3px solid {FRAME}; margin: 24px 0; padding: 8px; background: #fff;
              max-width: 1100px; }}
figure.fig svg {{ display: block; max-width: 100%; height: auto; }}
figcaption {{ font-size: 13px; margin-top: 6px; }}
"""


def read_csv(path):
    try:
        return pd.read_csv(path)
    except Exception as e:  # pandas raises several types for malformed files
        plot.fail(f"report: '{path}': {str(e).splitlines()[0]}: expected a CSV written by moesim")


def need_columns(df, path, names, what):
    for name in names:
        if name not in df.columns:
            plot.fail(f"report: '{path}': no column '{name}': expected {what}")


def figure_args(path, **options):
    """The arguments plot.py's figure functions read, as `moesim plot` would pass them."""
    args = dict(file=path, kind="bar", x=None, y=None, hue=None, col=None, value=None,
                where=[], error="ci95", title=None, logx=False, logy=False)
    args.update(options)
    return argparse.Namespace(**args)


def svg_of(fig, number):
    """The figure as an <svg> element, its ids prefixed so that figures do not share ids."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # names matplotlib's URL
    prefix = f"fig{number}-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", text)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)


def table_html(df, text_columns=()):
    def cell(tag, value, column):
        cls = ' class="text"' if column in text_columns else ""
        if isinstance(value, float):
            value = "" if value != value else f"{value:.6g}"  # NaN: no such (row, column)
        return f"<{tag}{cls}>{html.escape(str(value))}</{tag}>"

    head = "".join(cell("th", c, c) for c in df.columns)
    rows = ["".join(cell("td", v, c) for c, v in zip(df.columns, row))
            for row in df.itertuples(index=False)]
    return ('<div class="wide"><table><tr>' + head + "</tr>"
            + "".join(f"<tr>{r}</tr>" for r in rows) + "</table></div>")


def options_html(df, constant):
    """The shared options, four option/value pairs per table row."""
    pairs = [(c, "" if pd.isna(df[c].iloc[0]) else df[c].iloc[0]) for c in constant]
    rows = []
    for i in range(0, len(pairs), 4):
        cells = "".join(f'<th class="text">{html.escape(str(k))}</th>'
                        f'<td class="text">{html.escape(str(v))}</td>' for k, v in pairs[i:i + 4])
        rows.append(f"<tr>{cells}</tr>")
    return "<table>" + "".join(rows) + "</table>"


def results_section(df, path):
    """The tables and the CCT figure of results.csv; returns (html parts, figures)."""
    need_columns(df, path, ["transport", "model", "cct_us"],
                 "the columns of a results.csv (moesim run or sweep)")
    params = plot.parameter_columns(df)
    constant = [c for c in params if df[c].nunique(dropna=False) <= 1]
    varying = [c for c in params if c not in constant and c not in ("transport", "model")]
    settings = [c for c in varying if c not in plot.REPLICATE_COLUMNS]
    parts = []
    if settings:
        parts.append("<p>Varying: " + html.escape(", ".join(settings)) + "</p>")
    keys = settings + ["transport"]
    cct = df.pivot_table(index=keys, columns="model", values="cct_us", aggfunc="mean",
                         sort=False).reset_index()
    cct.columns = [str(c) if c in keys else f"cct_us ({c})" for c in cct.columns]
    over = " (mean over seeds)" if "seed" in varying else ""
    parts.append(f"<h2>CCT per transport and model{over}</h2>")
    parts.append(table_html(cct, keys))
    shown = [c for c in varying + ["transport", "model"] + KEY_METRICS if c in df.columns]
    parts.append("<h2>Key metrics per row</h2>")
    parts.append(table_html(df[shown], varying + ["transport", "model"]))
    options = dict(x="transport", y="cct_us", hue="model", error="ci95" if over else "none")
    if settings:  # one panel per setting of the other varying options
        named = df[settings].apply(lambda row: ", ".join(f"{k} {v}" for k, v in row.items()),
                                   axis=1)
        df = df.assign(setting=named)
        options.update(col="setting",
                       title=f"CCT by transport and model, per {', '.join(settings)}")
    fig, _ = plot.plot_xy(df, figure_args(path, **options))
    caption = "CCT per transport (bars) and network model (colours)." + (
        " Error bars: 95% confidence interval of the mean over the seeds." if over else "")
    return parts, [(fig, caption)], options_html(df, constant)


def detail_figures(directory):
    """The figures of the detail CSV files that exist, as (figure, caption)."""
    figures = []
    path = os.path.join(directory, "links.csv")
    if os.path.isfile(path):
        df = read_csv(path)
        need_columns(df, path, ["run", "link", "utilization"], "the columns of a links.csv")
        fig, _ = plot.plot_heatmap(df, figure_args(path, x="link", y="run", value="utilization"))
        figures.append((fig, "Link utilisation per run and link (links.csv)."))
    path = os.path.join(directory, "phases.csv")
    if os.path.isfile(path):
        fig, _ = plot.plot_timeline(read_csv(path), figure_args(path, kind="timeline"))
        figures.append((fig, "Phases per pipeline stage over time (phases.csv)."))
    path = os.path.join(directory, "timeseries.csv")
    if os.path.isfile(path):
        df = read_csv(path)
        need_columns(df, path, ["run", "link", "t_us", "queue_bytes"],
                     "the columns of a timeseries.csv")
        fig, _ = plot.plot_heatmap(df, figure_args(path, x="t_us", y="link",
                                                   value="queue_bytes", col="run"))
        figures.append((fig, "Queue bytes per link over time, blank where idle "
                             "(timeseries.csv)."))
    return figures


def write_atomically(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 1:
        plot.fail("report: expected exactly one directory, e.g. report.py out")
    directory = argv[0]
    path = os.path.join(directory, "results.csv")
    if not os.path.isfile(path):
        plot.fail(f"report: '{directory}': no results.csv: expected a directory written by "
                  "moesim run or sweep")
    df = read_csv(path)
    if "status" in df.columns:
        df = df[df["status"] == "ok"]
    if df.empty:
        plot.fail(f"report: '{path}': no rows whose status is ok: expected some")
    with contextlib.redirect_stdout(io.StringIO()):  # plot.py's `points:` lines
        parts, figures, options = results_section(df, path)
        figures += detail_figures(directory)
    body = [f"<h1>moesim report: {html.escape(os.path.basename(os.path.abspath(directory)))}"
            f"</h1><p>{len(df)} rows of results.csv.</p>"] + parts + ["<h2>Figures</h2>"]
    for number, (fig, caption) in enumerate(figures, 1):
        body.append(f'<figure class="fig">{svg_of(fig, number)}'
                    f"<figcaption>Figure {number}. {html.escape(caption)}</figcaption></figure>")
    body += ["<h2>Options shared by every row</h2>", options]
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>moesim report</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    out = os.path.join(directory, "report.html")
    write_atomically(out, page)
    print(f"wrote {out}")
    print(f"figures: {len(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
