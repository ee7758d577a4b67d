//! `SuiteError`: everything that can be wrong with a suite file, with its location.

use super::Source;

/// A suite that cannot be loaded; nothing is run when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not fit the suite format.
    #[error("{at}: {message}{snippet}")]
    Invalid {
        /// Where.
        at: Source,
        /// What is wrong, with a hint when one helps.
        message: String,
        /// The source line with a caret under the column (may be empty).
        snippet: String,
    },
    /// A suites directory with no `.yaml` files in it.
    #[error("{0}: no suite files (*.yaml) found")]
    Empty(String),
}

impl SuiteError {
    /// Builds an [`SuiteError::Invalid`] at `at`, quoting the line from `text`.
    pub(crate) fn at(at: Source, message: impl Into<String>, text: &str) -> Self {
        let snippet = snippet(text, at.line, at.column);
        SuiteError::Invalid {
            at,
            message: message.into(),
            snippet,
        }
    }
}

/// The line `line` of `text` and a caret under `column`, as `\n  | line\n  |   ^`.
fn snippet(text: &str, line: u64, column: u64) -> String {
    let Some(src) = text.lines().nth(line.saturating_sub(1) as usize) else {
        return String::new();
    };
    let pad = " ".repeat(column.saturating_sub(1) as usize);
    format!("\n{line:>4} | {src}\n     | {pad}^")
}

/// The closest candidate to `word` within a small edit distance, for "did you mean" hints.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two short strings.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("expct", ["expect", "retry", "capture"]),
            Some("expect")
        );
        assert_eq!(did_you_mean("zzzzzz", ["expect", "retry"]), None);
    }
}
