//! The suite loader never panics: arbitrary text, YAML-shaped noise, and mutations of the
//! built-in suites (lines deleted, duplicated or swapped, characters changed) either load or
//! give a non-empty error that names the file.

use faas_certifier::suite::{self, BUILTIN};
use proptest::prelude::*;

const FILE: &str = "fuzzed/suite.yaml";

/// Loads `text`; an error must be non-empty and start with the file's name.
fn load_names_the_file(text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = suite::load_str(FILE, text) {
        let message = e.to_string();
        prop_assert!(
            message.starts_with(&format!("{FILE}:")),
            "the error does not name the file: {message:?}"
        );
        prop_assert!(
            message.len() > FILE.len() + 4,
            "the error says nothing beyond the file: {message:?}"
        );
    }
    Ok(())
}

/// One edit of a suite's text; positions are taken modulo the text's size.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceChar(usize, char),
    InsertChar(usize, char),
    Truncate(usize),
}

/// Characters that matter to YAML, suites and variables, and a few that don't.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            ':', '-', ' ', '\n', '\t', '{', '}', '[', ']', '"', '\'', '#', '&', '*', '!', '|',
            '>', '$', '%', '@', ',', '?', '0', 'x', '\\',
        ]),
        1 => any::<char>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), interesting_char()).prop_map(|(i, c)| Mutation::ReplaceChar(i, c)),
        (any::<usize>(), interesting_char()).prop_map(|(i, c)| Mutation::InsertChar(i, c)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut chars: Vec<char> = text.chars().collect();
    match *m {
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % lines.len());
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let i = i % lines.len();
            lines.insert(i, lines[i]);
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let n = lines.len();
            lines.swap(a % n, b % n);
        }
        Mutation::ReplaceChar(i, c) if !chars.is_empty() => {
            let n = chars.len();
            chars[i % n] = c;
            return chars.into_iter().collect();
        }
        Mutation::InsertChar(i, c) => {
            chars.insert(i % (chars.len() + 1), c);
            return chars.into_iter().collect();
        }
        Mutation::Truncate(i) => {
            chars.truncate(i % (chars.len() + 1));
            return chars.into_iter().collect();
        }
        _ => {}
    }
    lines.concat()
}

/// A built-in suite with a few edits applied.
fn mutated_suite() -> impl Strategy<Value = String> {
    (0..BUILTIN.len(), prop::collection::vec(mutation(), 1..6)).prop_map(|(i, edits)| {
        edits
            .iter()
            .fold(BUILTIN[i].1.to_string(), |text, m| apply(&text, m))
    })
}

/// Lines that look like suite YAML: keys the loader knows, indentation, flow collections,
/// variables, anchors and aliases.
fn yamlish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "cases",
        "name",
        "steps",
        "expect",
        "status",
        "retry",
        "timeout",
        "until",
        "vars",
        "capture",
        "requires",
        "deploy",
        "invoke",
        "logs",
        "while_open",
        "health",
        "info",
        "scale",
        "replicas",
        "json",
        "body",
        "description",
        "each_namespace",
        "load",
    ]);
    let value = prop::sample::select(vec![
        "",
        " 200",
        " 2xx",
        " 30s",
        " x",
        " ${run}",
        " fn-${run}",
        " ${nope}",
        " ${",
        " []",
        " {}",
        " [scaling]",
        " true",
        " -1",
        " 1e999",
        " &a x",
        " *a",
        " !!str 1",
        " |",
        " \"",
        " null",
        " ~",
    ]);
    let line = (0usize..8, prop::bool::ANY, key, value).prop_map(|(indent, dash, k, v)| {
        format!(
            "{}{}{k}:{v}\n",
            "  ".repeat(indent),
            if dash { "- " } else { "" }
        )
    });
    prop::collection::vec(line, 0..30).prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        load_names_the_file(&text)?;
    }

    #[test]
    fn yaml_shaped_text_never_panics(text in yamlish()) {
        load_names_the_file(&text)?;
    }

    #[test]
    fn mutated_builtin_suites_never_panic(text in mutated_suite()) {
        load_names_the_file(&text)?;
    }
}

#[test]
fn unmutated_builtin_suites_load() {
    for (name, text) in BUILTIN {
        if let Err(e) = suite::load_str(name, text) {
            panic!("{name} does not load: {e}");
        }
    }
}
