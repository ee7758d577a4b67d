//! The README's layout table ("How the code is laid out") holds: every `crate::`, `super::`
//! and `self::` path in `src/` goes only through the doors the table lists under "may use",
//! every door it lists is used, every module has a row, and the files of `cli` do not use
//! each other in a cycle; and each step kind keeps to its homes (`kinds.rs`). The checker is
//! shown to catch each kind of crossing on small in-memory trees.

mod doors;
mod kinds;
mod lex;
mod paths;
mod table;

use std::path::Path;

use doors::{check, cycles, Source};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `.rs` file under `src/`, by path from the crate root.
fn source_tree() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(ROOT).expect("under the crate root");
                let text = std::fs::read_to_string(&path).expect("UTF-8 source");
                out.push(Source::new(&rel.to_string_lossy(), &text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(ROOT).join("src"), &mut out);
    out
}

fn readme_table() -> table::Table {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README.md");
    table::parse(&readme).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_code_goes_only_through_the_doors_the_readme_lists() {
    let files = source_tree();
    assert!(files.len() > 100, "only {} files under src/", files.len());
    let problems = check(&readme_table(), &files);
    assert!(
        problems.is_empty(),
        "the code and the README's layout table disagree; remove the crossing, or list the \
         door with its reason:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_files_of_cli_use_each_other_without_a_cycle() {
    let found = cycles(&source_tree(), "cli");
    assert!(
        found.is_empty(),
        "cycles between the files of cli:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_readme_table_lists_the_rooms() {
    let table = readme_table();
    for module in [
        "suite", "model", "contract", "redact", "runner", "report", "mock", "selftest", "cli",
    ] {
        assert!(table.contains_key(module), "no row for `{module}`");
    }
    assert_eq!(table["cli"].0, table::Doors::Everything);
    assert!(!table["suite"].0.opens("contract"));
}

mod fixtures;
