"""The cohort report as one page a trainer reads in five minutes: ``reports/cohort.html``.

The first screen answers three questions: how the group is doing (a trainee-by-module heatmap,
every number printed, colours from ColorBrewer's colour-blind-safe YlGnBu with a mark on low
scores, so colour is never the only signal), which ideas to revisit together (each with a
pseudonymised answer that met it and one that did not) and who needs a follow-up first (ranked,
in plain words). Everything else sits below, grouped by module, folded in ``<details>``; printed,
the folded parts are left out, so the page fits two A4 sheets. The page is self-contained (plots
inline as PNG, no scripts, no links out) and every text from a trainee or a file is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io

import pandas as pd

from alongside.cohort.moderated import AGREE_ENOUGH
from alongside.cohort.record import exercise_title
from alongside.cohort.report import LOW_SHARE, REVISIT_SHARE, CohortTables, follow_up_first
from alongside.cohort.revisit import enough_answers

FIRST_FOLLOW_UPS = 5  # trainees listed on the first screen; the rest are in the folded list
REASONS_SHOWN = 1  # reasons per trainee on the first screen (the most urgent), with how many more
# ColorBrewer YlGnBu, 5 classes (colour-blind safe), for 0-19, 20-39, 40-59, 60-79 and 80-100 percent
PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
_STATUS_WORDS = {"missing": "missing", "not graded": "not marked", "not graded yet": "waiting"}

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:84rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.35}
h1{font-size:1.35rem;margin:0 0 .2rem} h2{font-size:1.1rem;margin:.2rem 0 .4rem}
.note{color:#444;font-size:.85rem;margin:.2rem 0} .alert{border-left:4px solid #8b1a1a;padding-left:.5rem}
.first{display:grid;grid-template-columns:auto minmax(0,1fr);grid-template-areas:"group follow" "ideas ideas";
 gap:.4rem 1.6rem;margin-top:.5rem}
#group{grid-area:group;width:min-content} #group h2{white-space:nowrap} #ideas{grid-area:ideas} #follow-up{grid-area:follow}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.85rem}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#eee} td.num{text-align:right}
table.heat{font-size:.78rem;margin-bottom:.3rem} table.heat td{text-align:center;min-width:2.2rem;padding:0 .2rem;white-space:nowrap}
table.heat th{padding:0 .3rem} table.heat{line-height:1.25} table.heat thead th{text-align:center;font-weight:600;vertical-align:bottom}
table.heat thead th small{display:block;font-weight:400;font-size:.62rem;max-width:3.6rem;margin:auto}
table.heat tbody th,table.heat tfoot th{white-space:nowrap;font-weight:400}
table.heat td.none{background:#fff;color:#333;font-style:italic}
.cue{font-size:.62rem} .legend{font-size:.75rem;margin:0} .legend span.sw{display:inline-block;min-width:2.4rem;
 text-align:center;border:1px solid #bbb;margin-right:.15rem}
ol.ideas{margin:0;padding-left:1.3rem;columns:2 24rem;column-gap:2rem;font-size:.88rem}
ol.ideas>li{margin:0 0 .4rem;break-inside:avoid} ol.ideas p{margin:.05rem 0;font-size:.8rem}
.met{color:#1b5e20} .unmet{color:#8b1a1a} .who{color:#444} q{font-style:italic}
ol.follow{margin:0;padding-left:1.3rem;font-size:.88rem} ol.follow li{margin:0 0 .25rem}
details{border-top:1px solid #ccc;padding:.3rem 0} summary{cursor:pointer;font-weight:600}
summary:focus-visible{outline:3px solid #1a4b8c;outline-offset:2px}
img{max-width:100%;height:auto} ul{margin:.2rem 0;padding-left:1.2rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.print-only{display:none}
@page{size:A4;margin:11mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:8.5pt}
 .first{grid-template-columns:1fr;grid-template-areas:"group" "follow" "ideas";gap:.2rem} ol.ideas{columns:2}
 #group{width:auto}
 details,.screen-only{display:none} .print-only{display:block}
 table.heat{font-size:7.5pt} table,li,section{break-inside:avoid}
 *{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""


def render_html(tables: CohortTables, title: str = "Cohort report") -> str:
    """The report as one self-contained HTML page (no scripts, no links out); all text escaped."""
    e = html.escape
    g = tables.grades
    graded = g[g["status"].isin(["graded", "late"])]
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{_CSS}</style></head><body>",
             f"<header><h1>{e(title)}</h1><p class='note'>Made {e(dt.datetime.now().strftime('%Y-%m-%d %H:%M'))}. "
             f"{g['trainee'].nunique()} trainees, {len(tables.exercises)} modules, {len(graded)} graded submissions, "
             f"{int((g['status'] == 'missing').sum())} missing, {int((g['status'] == 'not graded').sum())} "
             f"could not be marked.</p>", _moderation_lines(tables), "</header><main>",
             "<div class='first'>",
             f"<section id='group' aria-labelledby='group-h'><h2 id='group-h'>How the group is doing</h2>{_heatmap(tables)}</section>",
             f"<section id='ideas' aria-labelledby='ideas-h'>{_ideas(tables)}</section>",
             f"<section id='follow-up' aria-labelledby='follow-h'>{_follow_first(tables)}</section>",
             "</div>",
             "<section id='more' aria-labelledby='more-h'><h2 id='more-h'>More detail, by module</h2>",
             "<p class='note screen-only'>Open a part to see it. Printed, this page keeps only what is above.</p>",
             "<p class='note print-only'>The detail by module, every follow-up, the marking agreement and the "
             "item analysis are on screen, in reports/cohort.html, and in the CSV files beside it.</p>"]
    parts += [_module(tables, ex) for ex in tables.exercises]
    parts += [_folded(f"Every follow-up ({tables.follow_up['trainee'].nunique()} trainees)", _follow_up_html(tables.follow_up)),
              _folded("Marking agreement (moderation)", _agreement_html(tables)),
              _folded("Score distributions", _plot_distributions(tables)),
              _folded("Every submission", g.to_html(index=False, escape=True, na_rep="")),
              "</section></main></body></html>"]
    return "\n".join(parts)


def _folded(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"


def _moderation_lines(tables: CohortTables) -> str:
    e = html.escape
    lines = []
    if tables.moderation_problem:
        lines.append(f"<p class='note alert'>Marking agreement: {e(tables.moderation_problem)}</p>")
    flagged = tables.agreement[tables.agreement["check_by_hand"] == True]  # noqa: E712 (a column of booleans)
    if not flagged.empty:
        named = ", ".join(f"{r.rubric} {r.criterion}" for r in flagged.itertuples())
        agree = "criterion agrees" if len(flagged) == 1 else "criteria agree"
        lines.append(f"<p class='note alert'>Check by hand: {len(flagged)} rubric {agree} with trainers' "
                     f"marks less than {AGREE_ENOUGH:.0%} of the time ({e(named)}); their automatic marks are "
                     "flagged in grades.csv (column check_by_hand).</p>")
    return "".join(lines)


# ---- how the group is doing ---------------------------------------------------------------------

def _band(percent: float) -> int:
    return min(len(PALETTE) - 1, int(percent // (100 / len(PALETTE))))


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours written #rrggbb."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on a background (at least 4.5:1 for any colour)."""
    return max(("#000000", "#ffffff"), key=lambda c: contrast(c, background))


def _cell(row) -> str:
    if row is None or pd.isna(row.percent):
        word = _STATUS_WORDS.get(getattr(row, "status", ""), "") if row is not None else ""
        return f"<td class='none'>{html.escape(word) or '&nbsp;'}</td>"
    colour = PALETTE[_band(row.percent)]
    low = " <span class='cue' aria-hidden='true'>&#9660;</span><span class='sr'>low</span>" if row.percent < 100 * LOW_SHARE else ""
    late = " <span class='cue'>late</span>" if row.status == "late" else ""
    return (f"<td style='background:{colour};color:{text_colour(colour)}'>{row.percent:.0f}{low}{late}</td>")


def _heatmap(tables: CohortTables) -> str:
    """Trainees (rows) by module (columns), the percent printed in every cell, and the group's mean."""
    e = html.escape
    g = tables.grades
    head = "".join(f"<th scope='col'>{e(ex[:2])}<small>{e(ex[3:].replace('-', ' ') or ex)}</small></th>"
                   for ex in tables.exercises)
    by = {(r.trainee, r.exercise): r for r in g.itertuples()}
    body = []
    for trainee in sorted(g["trainee"].unique()):
        cells = "".join(_cell(by.get((trainee, ex))) for ex in tables.exercises)
        body.append(f"<tr><th scope='row'>{e(str(trainee))}</th>{cells}</tr>")
    means = g.groupby("exercise")["percent"].mean()
    foot = "".join(f"<td class='num'>{means[ex]:.0f}</td>" if pd.notna(means.get(ex)) else "<td></td>"
                   for ex in tables.exercises)
    bands = "".join(f"<span class='sw' style='background:{c};color:{text_colour(c)}'>{i * 20}&ndash;{i * 20 + 19 if i < 4 else 100}</span>"
                    for i, c in enumerate(PALETTE))
    return (f"<table class='heat'><caption class='sr'>Scores per trainee and module, in percent</caption>"
            f"<thead><tr><th scope='col'>Trainee</th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"<tfoot><tr><th scope='row'>Group mean</th>{foot}</tr></tfoot></table>"
            f"<p class='legend'>Percent: {bands} &#9660; below {LOW_SHARE:.0%}. Not marked: the file could not be read.</p>")


# ---- ideas to revisit ---------------------------------------------------------------------------

def _ideas(tables: CohortTables) -> str:
    e = html.escape
    ideas = tables.ideas
    trainees = tables.grades["trainee"].nunique()
    if ideas.empty:
        return (f"<h2 id='ideas-h'>Ideas to revisit together</h2><p>None: every idea with answers from at least "
                f"{enough_answers(trainees)} trainees was met by {REVISIT_SHARE:.0%} of them or more.</p>")
    flagged = {(r.exercise, r.item, r.criterion) for r in tables.shares.itertuples() if r.check_by_hand}
    count = {1: "One idea", 2: "Two ideas", 3: "Three ideas", 4: "Four ideas", 5: "Five ideas"}.get(len(ideas), "Ideas")
    items = []
    for r in ideas.itertuples():
        check = (" <strong>Check by hand:</strong> its automatic marks often differ from trainers'."
                 if (r.exercise, r.item, r.criterion) in flagged else "")
        examples = "".join(
            f"<p class='{cls}'><span aria-hidden='true'>{mark}</span> {word}"
            + (f" <span class='who'>({e(by)})</span>: <q>{e(text)}</q>" if text else
               ": <span class='who'>no answer here could be shown without risk of naming someone.</span>") + "</p>"
            for cls, mark, word, text, by in (("met", "&#10003;", "Met", r.met_example, r.met_by),
                                              ("unmet", "&#10007;", "Not yet", r.unmet_example, r.unmet_by)))
        items.append(f"<li><strong>{r.met_share:.0%} met</strong> ({e(r.exercise)} {e(r.item)}): "
                     f"{e(_short(r.looks_for, 75))}{check}{examples}</li>")
    return (f"<h2 id='ideas-h'>{count} to revisit together</h2><p class='note'>The criteria fewest trainees met "
            f"(with answers from {enough_answers(trainees)} or more), one per question, each with an answer that met it "
            f"and one that did not, under pseudonyms.</p><ol class='ideas'>{''.join(items)}</ol>")


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


# ---- follow-ups ---------------------------------------------------------------------------------

def _follow_first(tables: CohortTables) -> str:
    e = html.escape
    ranked = follow_up_first(tables.follow_up)
    head = "<h2 id='follow-h'>Who needs a follow-up first</h2>"
    if ranked.empty:
        return head + "<p>No one: every trainee submitted everything on time, scored well and wrote nothing to check.</p>"
    rows = []
    for r in ranked.head(FIRST_FOLLOW_UPS).itertuples():
        reasons = r.reasons.split("; ")
        more = f"; and {len(reasons) - REASONS_SHOWN} more" if len(reasons) > REASONS_SHOWN else ""
        rows.append(f"<li><strong>{e(str(r.trainee))}</strong>: {e('; '.join(reasons[:REASONS_SHOWN]))}{e(more)}</li>")
    rest = len(ranked) - FIRST_FOLLOW_UPS
    tail = (f"<p class='note'>{rest} more trainee{'s' if rest > 1 else ''} in \"Every follow-up\" below.</p>"
            if rest > 0 else "")
    return (f"{head}<p class='note'>Most urgent first: wording that can hurt a parent, a real family's details, "
            f"work that could not be marked or is missing, then low scores and lateness.</p>"
            f"<ol class='follow'>{''.join(rows)}</ol>{tail}")


def _follow_up_html(follow_up: pd.DataFrame) -> str:
    if follow_up.empty:
        return "<p>No one.</p>"
    e = html.escape
    rows = []
    for trainee, group in follow_up.groupby("trainee", sort=True):
        items = "".join(f"<li>{e(str(r.exercise))}: {e(str(r.reason))}</li>" for r in group.itertuples())
        kinds = ", ".join(sorted(set(group["kind"])))
        rows.append(f"<tr><th scope='row'>{e(str(trainee))}</th><td>{e(kinds)}</td><td><ul>{items}</ul></td></tr>")
    return ("<table><thead><tr><th scope='col'>Trainee</th><th scope='col'>What</th><th scope='col'>Why</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


# ---- below the fold -----------------------------------------------------------------------------

def _module(tables: CohortTables, exercise: str) -> str:
    """One module's folded part: its criteria (share met, revisit, check by hand) and its item analysis."""
    g = tables.grades[tables.grades["exercise"] == exercise]
    shares = tables.shares[tables.shares["exercise"] == exercise] if not tables.shares.empty else tables.shares
    graded = g["percent"].dropna()
    mean = f"mean {graded.mean():.0f}%, " if len(graded) else ""
    revisit = int(shares["revisit"].sum()) if not shares.empty else 0
    summary = (f"{exercise} {exercise_title(exercise)}: {mean}{len(graded)} of {len(g)} graded, "
               f"{revisit} criteri{'on' if revisit == 1 else 'a'} to revisit")
    body = [f"<h3>Criteria of {html.escape(exercise)}</h3>",
            f"<p class='note'>The share of graded trainees who met each criterion; \"revisit\" marks those met by fewer "
            f"than {REVISIT_SHARE:.0%}, \"check by hand\" those whose automatic marks agree with trainers' less than "
            f"{AGREE_ENOUGH:.0%} of the time.</p>"]
    if shares.empty:
        body.append("<p>No criteria: nothing of this module was graded yet.</p>")
    else:
        shown = shares.assign(met=(shares["met_share"] * 100).round(0).astype(int).astype(str) + "%",
                              revisit=shares["revisit"].map({True: "revisit", False: ""}),
                              check_by_hand=shares["check_by_hand"].map({True: "check by hand", False: ""}))
        body.append(shown[["item", "criterion", "looks_for", "met", "trainees", "revisit", "check_by_hand"]]
                    .to_html(index=False, escape=True))
    items = tables.items[tables.items["exercise"] == exercise] if not tables.items.empty else tables.items
    if not items.empty:
        body.append(f"<h3>Item analysis of the choices in {html.escape(exercise)}</h3>"
                    "<p class='note'>Facility: the share who chose the right answer. Discrimination: how well the "
                    "statement separates stronger from weaker trainees (point-biserial correlation with the points on "
                    "the rest of the exercise, as Moodle's quiz statistics give it); near 0 or negative, look at its "
                    "wording or its key. Blank when everyone, or no one, was right. Then the wrong answer chosen "
                    "most, how many chose it, and how many gave no answer.</p>")
        shown = items.assign(facility=(items["facility"] * 100).round(0).astype(int).astype(str) + "%",
                             discrimination=items["discrimination"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"))
        body.append(shown[["item", "statement", "text", "answers", "facility", "discrimination", "most_chosen_wrong",
                           "chosen_by", "no_answer"]].to_html(index=False, escape=True))
    return _folded(summary, "".join(body))


def _agreement_html(tables: CohortTables) -> str:
    e = html.escape
    table = tables.agreement
    note = (f"<p class='note'>For each criterion of each rubric, the latest moderation: the share of a sample of answers "
            f"where a trainer's mark agreed with the automatic one, Cohen's kappa with its 95% interval, and how many "
            f"answers it rests on. Under {AGREE_ENOUGH:.0%} agreement a criterion's automatic marks are to be checked "
            f"by hand.</p>")
    if tables.moderation_problem:
        note += f"<p class='alert'>{e(tables.moderation_problem)}</p>"
    if table.empty or table["agree"].isna().all():
        return note + "<p>No moderated agreement yet: trainers moderate a sample with <code>alongside cohort moderate</code>.</p>"

    def number(value) -> str:
        return "" if value is None or pd.isna(value) else f"{value:.2f}"

    shown = table.assign(agree=table["agree"].map(lambda v: "not moderated yet" if pd.isna(v) else f"{v:.0%}"),
                         kappa=[number(k) + (f" ({number(lo)} to {number(hi)})" if pd.notna(lo) and pd.notna(hi) else "")
                                for k, lo, hi in zip(table["kappa"], table["kappa_low"], table["kappa_high"])],
                         n=table["n"].map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
                         check_by_hand=table["check_by_hand"].map({True: "check by hand", False: ""}))
    return note + shown[["rubric", "criterion", "used_in", "agree", "kappa", "n", "sheet", "read_at",
                         "check_by_hand"]].to_html(index=False, escape=True, na_rep="")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plot_distributions(tables: CohortTables) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = tables.grades
    count = len(tables.exercises)
    columns = min(count, 6) or 1
    rows = -(-count // columns) or 1
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.0 * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    for ax, ex in zip(axes.flat, tables.exercises):
        values = g.loc[(g["exercise"] == ex) & g["percent"].notna(), "percent"]
        ax.hist(values, bins=range(0, 101, 10), color=PALETTE[3], edgecolor="white")
        ax.set_title(ex, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    percent = g.groupby("exercise")["percent"]
    summary = pd.DataFrame({"graded": percent.count(), "mean": percent.mean(), "median": percent.median(),
                            "lowest": percent.min(), "highest": percent.max()}).round(1).reindex(tables.exercises)
    alt = "Histograms of percent scores per module; the same figures are summarised in the table below."
    return (f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{_png(fig)}'>"
            + summary.to_html(escape=True, na_rep=""))


__all__ = ["PALETTE", "contrast", "render_html", "text_colour"]
