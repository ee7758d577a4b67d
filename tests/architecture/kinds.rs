//! One home per step kind: outside the list of kinds (`src/suite/step.rs`, where `step_kinds!`
//! defines `Operation` and its generated `match`es), no file names the variants of more than
//! [`MOST`] kinds, test modules aside. A file that does holds a `match` over kinds, which every
//! new kind would have to join: that behaviour belongs in each kind's `StepKind` (suite) or
//! `Perform` (runner).

use std::collections::BTreeMap;

use crate::doors::Source;
use crate::lex::{tokens, Tok, Token};

/// The most kinds one file outside the list may name (a kind's own special case, such as the
/// loader's check of `logs`' nested steps, names one).
const MOST: usize = 2;

/// The file that holds the list of kinds.
const LIST: &str = "src/suite/step.rs";

/// Each file naming more than [`MOST`] kinds' variants: `file:line` of the first, and the kinds.
pub fn spread(files: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    let counted = |f: &&Source| f.path != LIST && !is_test_file(&f.path);
    for file in files.iter().filter(counted) {
        let named = variants(&before_tests(tokens(&file.text)));
        if named.len() > MOST {
            let first = named.values().min().copied().unwrap_or(1);
            let kinds: Vec<&str> = named.keys().map(String::as_str).collect();
            problems.push(format!(
                "{}:{first}: names {} step kinds ({}): a match over kinds; give each kind that \
                 behaviour in its StepKind or Perform",
                file.path,
                kinds.len(),
                kinds.join(", ")
            ));
        }
    }
    problems
}

/// A file of test modules (`mod tests;` under `#[cfg(test)]`, by this crate's convention).
fn is_test_file(path: &str) -> bool {
    path.ends_with("/tests.rs") || path.contains("/tests/")
}

/// The tokens before the first `#[cfg(test)]` (test modules come last in a file).
fn before_tests(toks: Vec<Token>) -> Vec<Token> {
    let is = |t: &Token, want: &Tok| &t.tok == want;
    let cut = toks.windows(6).position(|w| {
        is(&w[0], &Tok::Other('#'))
            && is(&w[1], &Tok::Other('['))
            && is(&w[2], &Tok::Ident("cfg".into()))
            && is(&w[3], &Tok::Other('('))
            && is(&w[4], &Tok::Ident("test".into()))
            && is(&w[5], &Tok::Other(')'))
    });
    let mut toks = toks;
    toks.truncate(cut.unwrap_or(usize::MAX).min(toks.len()));
    toks
}

/// Every `Operation::Variant` named (a CamelCase name, not a constant such as `KEYS`), with
/// the line it is first named on.
fn variants(toks: &[Token]) -> BTreeMap<String, usize> {
    let mut named = BTreeMap::new();
    for w in toks.windows(3) {
        if let (Tok::Ident(ty), Tok::Sep, Tok::Ident(v)) = (&w[0].tok, &w[1].tok, &w[2].tok) {
            let camel = v.starts_with(|c: char| c.is_ascii_uppercase())
                && v.chars().any(|c| c.is_ascii_lowercase());
            if ty == "Operation" && camel {
                named.entry(v.clone()).or_insert(w[2].line);
            }
        }
    }
    named
}

#[test]
fn no_file_but_the_list_matches_over_step_kinds() {
    let problems = spread(&crate::source_tree());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_match_over_kinds_is_reported_but_a_kinds_own_case_and_tests_are_not() {
    let over = "fn f(op: &Operation) -> u8 {\n    match op {\n        Operation::Deploy(_) => 1,\n        \
                // Operation::Scale in a comment is no use\n        Operation::Update(_) => 2,\n        \
                _ => { let _ = Operation::KEYS; let _ = \"Operation::Stream\"; 3 }\n    }\n}\n";
    let problems = spread(&[Source::new("src/runner/x.rs", over)]);
    assert!(problems.is_empty(), "two kinds are allowed: {problems:?}");
    let third = over.replace("_ => {", "Operation::Logs(_) => 4,\n        _ => {");
    let problems = spread(&[Source::new("src/runner/x.rs", &third)]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("src/runner/x.rs:3: names 3 step kinds (Deploy, Logs, Update)"),
        "{}",
        problems[0]
    );
    let in_tests = format!("fn g() {{}}\n#[cfg(test)]\nmod tests {{\n{third}}}\n");
    assert!(spread(&[Source::new("src/runner/y.rs", &in_tests)]).is_empty());
    assert!(spread(&[Source::new(LIST, &third)]).is_empty());
    assert!(spread(&[Source::new("src/suite/tests.rs", &third)]).is_empty());
}
