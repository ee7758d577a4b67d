//! Which trials a run selects: positional filters, `--skip`, `--exact` (the report's
//! [`Selection`], which records them as given), and the preflight that refuses a selection
//! of nothing.

pub use crate::report::Selection;

impl Selection {
    fn matches(&self, pattern: &str, name: &str) -> bool {
        if self.exact {
            pattern == name
        } else {
            name.contains(pattern)
        }
    }

    /// Whether the trial `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, name)))
            && !self.skip.iter().any(|s| self.matches(s, name))
    }
}

/// Preflight of a selection: `Err` when it selects no trial of `names`, naming the closest.
pub fn check_selection(names: &[String], select: &Selection) -> Result<(), String> {
    if names.iter().any(|n| select.selects(n)) {
        return Ok(());
    }
    let mut asked: Vec<&String> = select.filters.iter().collect();
    if asked.is_empty() {
        return Err(format!(
            "--skip {} leaves no case to run",
            select.skip.join(", ")
        ));
    }
    asked.sort();
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| {
            let best = asked
                .iter()
                .map(|f| strsim::jaro_winkler(f, n))
                .fold(0.0, f64::max);
            (best, n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let closest: Vec<&str> = scored.iter().take(3).map(|(_, n)| n.as_str()).collect();
    let quoted: Vec<String> = asked.iter().map(|f| format!("{f:?}")).collect();
    Err(format!(
        "no case matches {}{}; the closest names: {} (`--list` shows them all)",
        quoted.join(", "),
        if select.exact { " exactly" } else { "" },
        closest.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_filters_skips_and_exact() {
        let sel = Selection {
            filters: vec!["invoke::".into(), "health".into()],
            skip: vec!["@extra".into()],
            exact: false,
        };
        assert!(sel.selects("invoke::verbs"));
        assert!(sel.selects("health::healthz"));
        assert!(!sel.selects("invoke::verbs@extra"));
        assert!(!sel.selects("deploy::plain"));
        let exact = Selection {
            filters: vec!["invoke::verbs".into()],
            skip: vec![],
            exact: true,
        };
        assert!(exact.selects("invoke::verbs"));
        assert!(!exact.selects("invoke::verbs@extra"));
    }
}
