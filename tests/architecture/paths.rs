//! The module paths a source file uses: every `crate::…`, `$crate::…`, `super::…` and
//! `self::…` path (in `use` trees, expressions, types and attributes alike), and in a
//! module's own file the bare paths into the child modules it declares (`run::main`),
//! each resolved to an absolute path from the crate root.

use super::lex::{tokens, Tok, Token};

/// One segment of a resolved path and the line it was written on (none for the segments
/// that come from where the path was written, as `super` resolves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The name.
    pub name: String,
    /// Its line, when written.
    pub line: Option<usize>,
}

/// A path a file uses, from the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The line the path starts on.
    pub line: usize,
    /// Its segments, e.g. `runner`, `cleanup`, `Resource`.
    pub segments: Vec<Segment>,
}

impl Use {
    /// The line of the segment at `index` (the path's start when that came from context).
    pub fn line_of(&self, index: usize) -> usize {
        self.segments
            .get(index)
            .and_then(|s| s.line)
            .unwrap_or(self.line)
    }

    /// The name of the segment at `index`.
    pub fn name(&self, index: usize) -> Option<&str> {
        self.segments.get(index).map(|s| s.name.as_str())
    }
}

/// The module path of a file under `src/`: `src/runner/expect/body.rs` is
/// `runner::expect::body`, `src/runner/mod.rs` is `runner`.
pub fn module_of(file: &str) -> Vec<String> {
    let rel = file.strip_prefix("src/").unwrap_or(file);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Every path the file `file` (its text `src`) uses, resolved from the crate root.
pub fn uses(file: &str, src: &str) -> Vec<Use> {
    let toks = tokens(src);
    let here = module_of(file);
    let children = declared_children(&toks);
    let mut out = Vec::new();
    // Inline modules (`mod tests { … }`) open around the cursor: name and brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        match &t.tok {
            Tok::Open => {
                if let Some(name) = inline_mod_name(&toks, i) {
                    inline.push((name, depth));
                }
                depth += 1;
            }
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(word) if starts_path(&toks, i) => {
                let relative_child = inline.is_empty() && children.contains(word);
                if matches!(word.as_str(), "crate" | "super" | "self") || relative_child {
                    let scope = here.iter().chain(inline.iter().map(|(n, _)| n));
                    let prefix = scope.map(|name| Segment {
                        name: name.clone(),
                        line: None,
                    });
                    // A path's tokens are read once: its group's braces are balanced.
                    i = tree(&toks, i, prefix.collect(), t.line, &mut out);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether the identifier at `i` starts a path: `::` follows and none precedes.
fn starts_path(toks: &[Token], i: usize) -> bool {
    let next_is_sep = toks.get(i + 1).is_some_and(|t| t.tok == Tok::Sep);
    let prev_is_sep = i > 0 && toks[i - 1].tok == Tok::Sep;
    next_is_sep && !prev_is_sep
}

/// The name of the inline module whose body the `{` at `i` opens (`mod NAME {`).
fn inline_mod_name(toks: &[Token], i: usize) -> Option<String> {
    let (Some(name), Some(keyword)) = (i.checked_sub(1), i.checked_sub(2)) else {
        return None;
    };
    match (&toks[keyword].tok, &toks[name].tok) {
        (Tok::Ident(k), Tok::Ident(n)) if k == "mod" => Some(n.clone()),
        _ => None,
    }
}

/// The child modules a file declares in files of their own (`mod NAME;`).
fn declared_children(toks: &[Token]) -> Vec<String> {
    toks.windows(3)
        .filter_map(|w| match (&w[0].tok, &w[1].tok, &w[2].tok) {
            (Tok::Ident(k), Tok::Ident(n), Tok::Other(';')) if k == "mod" => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Reads the path (or `use` tree) starting at `i` onto `prefix`, pushing each complete
/// path to `out`; returns the index after it.
fn tree(
    toks: &[Token],
    mut i: usize,
    mut prefix: Vec<Segment>,
    line: usize,
    out: &mut Vec<Use>,
) -> usize {
    loop {
        match toks.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(word)) => {
                match word.as_str() {
                    "crate" => prefix.clear(),
                    "super" => {
                        prefix.pop();
                    }
                    "self" => {}
                    _ => prefix.push(Segment {
                        name: word.clone(),
                        line: Some(toks[i].line),
                    }),
                }
                i += 1;
                if toks.get(i).is_some_and(|t| t.tok == Tok::Sep) {
                    i += 1;
                    continue;
                }
            }
            Some(Tok::Open) => return group(toks, i, &prefix, out),
            _ => {}
        }
        out.push(Use {
            line,
            segments: prefix,
        });
        return i;
    }
}

/// A `{a::b, c, self}` group of a `use` tree at `i`: each item on `prefix`.
fn group(toks: &[Token], mut i: usize, prefix: &[Segment], out: &mut Vec<Use>) -> usize {
    i += 1;
    while let Some(t) = toks.get(i) {
        match t.tok {
            Tok::Close => return i + 1,
            Tok::Comma => i += 1,
            _ => {
                let next = tree(toks, i, prefix.to_vec(), t.line, out);
                // Whatever the item ends with (`as NAME`, `*`) is skipped to its comma.
                i = next.max(i + 1);
                while toks
                    .get(i)
                    .is_some_and(|t| !matches!(t.tok, Tok::Comma | Tok::Close))
                {
                    i += 1;
                }
            }
        }
    }
    i
}
