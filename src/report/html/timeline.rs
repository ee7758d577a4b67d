//! The timeline: one bar per case on a shared time axis, coloured by outcome, with the
//! waiting part of each step (pauses between polling attempts) drawn lighter.
//!
//! Inline SVG: geometry lives in attributes, so the page needs no inline `style` attribute.

use maud::{html, Markup};

use super::{anchor, duration, outcome_class, CaseReport};

/// Width of the case names column, in SVG units.
const LABELS: f64 = 300.0;
/// Width of the time axis, in SVG units.
const PLOT: f64 = 900.0;
/// Space right of the axis, for the last tick's label.
const MARGIN: f64 = 30.0;
/// Height of the axis above the bars.
const AXIS: f64 = 22.0;
/// Height of one case's row.
const ROW: f64 = 16.0;
/// Height of a bar within its row.
const BAR: f64 = 11.0;
/// The narrowest bar drawn, so an instant case still shows.
const MIN_BAR: f64 = 2.0;
/// Case names longer than this are cut (the full name is in the bar's tooltip).
const LABEL_CHARS: usize = 48;

/// Where each case sits: its start (milliseconds after the run started) and its end.
/// Cases without a recorded start are placed one after the other.
fn spans(cases: &[CaseReport]) -> Vec<(u64, u64)> {
    let mut next = 0u64;
    cases
        .iter()
        .map(|c| {
            let start = c.started_ms.unwrap_or(next);
            let end = start.saturating_add(c.duration_ms);
            next = next.max(end);
            (start, end)
        })
        .collect()
}

/// A round tick interval giving at most about ten ticks over `total` milliseconds.
fn tick_interval(total: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for step in [1, 2, 5] {
            let interval = step * unit;
            if total / interval <= 10 {
                return interval;
            }
        }
        unit = unit.saturating_mul(10);
    }
}

/// Renders the timeline of `cases` over a run of `run_ms` milliseconds.
pub(super) fn render(cases: &[CaseReport], run_ms: u64) -> Markup {
    let spans = spans(cases);
    let total = spans
        .iter()
        .map(|(_, end)| *end)
        .max()
        .unwrap_or(0)
        .max(run_ms)
        .max(1);
    let x = |ms: u64| LABELS + PLOT * ms as f64 / total as f64;
    let width = LABELS + PLOT + MARGIN;
    let height = AXIS + ROW * cases.len() as f64 + 4.0;
    let interval = tick_interval(total);
    let ticks: Vec<u64> = (0..=total / interval).map(|i| i * interval).collect();
    html! {
        p.legend {
            span { i.passed {} "passed" }
            span { i.failed {} "failed" }
            span { i.errored {} "errored" }
            span { i.skipped {} "skipped" }
            span { i.wait {} "lighter: waiting between polling attempts" }
        }
        svg.timeline xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {width} {height}"))
            aria-label=(format!("{} cases over {}", cases.len(), duration(total))) {
            @for t in &ticks {
                line.grid x1=(fmt(x(*t))) x2=(fmt(x(*t))) y1=(fmt(AXIS - 4.0)) y2=(fmt(height)) {}
                text.tick x=(fmt(x(*t))) y=(fmt(AXIS - 8.0)) text-anchor="middle" { (tick_label(*t, interval)) }
            }
            @for (i, (case, (start, end))) in cases.iter().zip(&spans).enumerate() {
                @let y = AXIS + ROW * i as f64;
                @let class = outcome_class(case.outcome);
                g.bar.(class) data-id=(case.id) data-outcome=(class) {
                    title { (tooltip(case)) }
                    text x=(fmt(LABELS - 6.0)) y=(fmt(y + BAR - 1.0)) text-anchor="end" { (label(&case.id)) }
                    a href=(format!("#{}", anchor(i))) {
                        rect.span x=(fmt(x(*start))) y=(fmt(y)) height=(fmt(BAR))
                            width=(fmt((x(*end) - x(*start)).max(MIN_BAR))) {}
                        @for (wait_start, wait_end) in waits(case, *start) {
                            rect.wait x=(fmt(x(wait_start))) y=(fmt(y)) height=(fmt(BAR))
                                width=(fmt(x(wait_end) - x(wait_start))) {}
                        }
                    }
                }
            }
        }
    }
}

/// The waiting part of each step, placed at the end of the step: steps run one after the
/// other from the case's start.
fn waits(case: &CaseReport, start: u64) -> Vec<(u64, u64)> {
    let mut at = start;
    let mut out = Vec::new();
    for step in &case.steps {
        let end = at.saturating_add(step.duration_ms);
        if let Some(waited) = step.waited_ms.filter(|w| *w > 0) {
            out.push((end.saturating_sub(waited.min(step.duration_ms)), end));
        }
        at = end;
    }
    out
}

fn tooltip(case: &CaseReport) -> String {
    let waited: u64 = case.steps.iter().filter_map(|s| s.waited_ms).sum();
    let mut text = format!(
        "{} — {}, {}",
        case.id,
        case.outcome.word(),
        duration(case.duration_ms)
    );
    if waited > 0 {
        text.push_str(&format!(" ({} waiting)", duration(waited)));
    }
    if let Some(reason) = &case.reason {
        text.push_str(&format!(
            "\n{}",
            super::super::transcript::excerpt(reason, 200)
        ));
    }
    text
}

fn label(id: &str) -> String {
    if id.chars().count() <= LABEL_CHARS {
        return id.to_string();
    }
    let kept: String = id.chars().take(LABEL_CHARS - 1).collect();
    format!("{kept}…")
}

fn tick_label(ms: u64, interval: u64) -> String {
    if interval < 1000 {
        format!("{ms} ms")
    } else {
        format!("{} s", ms / 1000)
    }
}

/// A coordinate with at most two decimals, so the markup stays short and stable.
fn fmt(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_interval(1), 1);
        assert_eq!(tick_interval(95), 10);
        assert_eq!(tick_interval(1234), 200);
        assert_eq!(tick_interval(125_000), 20_000);
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(fmt(300.0), "300");
        assert_eq!(fmt(12.345), "12.35");
        assert_eq!(fmt(0.5), "0.5");
    }

    #[test]
    fn tick_labels_use_the_interval_unit() {
        assert_eq!(tick_label(400, 200), "400 ms");
        assert_eq!(tick_label(40_000, 20_000), "40 s");
        assert_eq!(tick_label(120_000, 20_000), "120 s");
    }
}
