//! Excerpts of provider text for one-line display: bodies, reasons, mismatches.

/// How much of a body a transcript shows.
pub const BODY_EXCERPT: usize = 400;

/// A body on one line: quoted, with newlines and control characters escaped, and cut.
pub fn body_line(text: &str) -> String {
    let cut = excerpt(text, BODY_EXCERPT);
    format!("\"{}\"", cut.escape_debug())
}

/// Cuts `text` to at most `max` characters, saying how much was left out.
pub fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({} more characters)", count - max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_counts_what_it_cut() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef", 2), "ab… (4 more characters)");
        assert_eq!(excerpt("ééé", 1), "é… (2 more characters)");
    }
}
