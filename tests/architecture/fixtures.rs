//! The checker on small trees, each with one kind of crossing it must report.

use super::doors::{check, cycles, Source};
use super::table;

const README: &str = "# x\n\n## How the code is laid out\n\nThe rooms:\n\n\
| module | owns | may use |\n\
|---|---|---|\n\
| `suite` | suites | — |\n\
| `contract` | clauses | `model` (its types, for the schemas) |\n\
| `model` | types | — |\n\
| `report` | reports | `model` |\n\
| `cli` | the binary | everything |\n\
\nAfter the table.\n";

/// A tree that keeps the doors of [`README`].
fn clean_tree() -> Vec<Source> {
    vec![
        Source::new("src/lib.rs", "pub mod suite;\npub mod contract;\n"),
        Source::new("src/suite/mod.rs", "mod load;\npub use load::load_str;\n"),
        Source::new("src/suite/load.rs", "use super::Suite;\n/// Not [`crate::contract`].\nfn f() { let s = \"crate::report::X\"; }\n"),
        Source::new("src/contract/mod.rs", "use crate::model::Clause;\n"),
        Source::new("src/model.rs", "pub struct Clause;\n"),
        Source::new("src/report/mod.rs", "use crate::{model::{A, B}, report::C};\n"),
        Source::new("src/cli/mod.rs", "mod run;\nmod pipeline;\npub fn main() { run::main() }\n"),
        Source::new("src/cli/run.rs", "use super::pipeline::Pipeline;\nuse crate::{suite, contract::X};\n"),
        Source::new("src/cli/pipeline.rs", "use crate::report;\nuse crate::model::Clause;\n"),
    ]
}

fn table() -> table::Table {
    table::parse(README).expect("the fixture table parses")
}

fn replace(tree: &mut [Source], path: &str, text: &str) {
    let file = tree
        .iter_mut()
        .find(|f| f.path == path)
        .expect("a file of the tree");
    file.text = text.to_string();
}

#[test]
fn a_tree_that_keeps_the_doors_passes() {
    assert_eq!(check(&table(), &clean_tree()), Vec::<String>::new());
    assert_eq!(cycles(&clean_tree(), "cli"), Vec::<String>::new());
}

#[test]
fn a_use_through_an_unlisted_door_is_reported_with_its_file_and_line() {
    let mut tree = clean_tree();
    replace(
        &mut tree,
        "src/suite/load.rs",
        "use super::Suite;\n\nfn known(id: &str) -> bool {\n    crate::contract::exists(id)\n}\n",
    );
    let problems = check(&table(), &tree);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .starts_with("src/suite/load.rs:4: `suite` uses `contract` (crate::contract::exists)"),
        "{problems:?}"
    );
}

#[test]
fn grouped_super_and_macro_paths_are_followed_across_lines() {
    let mut tree = clean_tree();
    replace(
        &mut tree,
        "src/report/mod.rs",
        "use crate::{\n    model::A,\n    suite::Case,\n};\nmod tests {\n    use super::super::contract::C;\n}\nmacro_rules! m { () => { $crate::cli::main() } }\n",
    );
    let problems = check(&table(), &tree);
    let at: Vec<&str> = problems
        .iter()
        .map(|p| p.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        at,
        [
            "src/report/mod.rs:3:",
            "src/report/mod.rs:6:",
            "src/report/mod.rs:8:"
        ],
        "{problems:?}"
    );
    assert!(
        problems[1].contains("`report` uses `contract`"),
        "{problems:?}"
    );
    assert!(problems[2].contains("`report` uses `cli`"), "{problems:?}");
}

#[test]
fn comments_strings_and_char_literals_are_not_uses() {
    let mut tree = clean_tree();
    replace(
        &mut tree,
        "src/suite/load.rs",
        "// crate::report\n/* crate::cli /* nested */ crate::cli */\nconst A: &str = r#\"crate::report \"x\"\"#;\nconst B: char = '\"'; const C: &str = \"crate::cli\";\nfn f<'a>(x: &'a str) {}\n",
    );
    assert_eq!(check(&table(), &tree), Vec::<String>::new());
}

#[test]
fn a_module_without_a_row_a_row_without_a_module_and_an_unused_door_are_reported() {
    let mut tree = clean_tree();
    tree.push(Source::new(
        "src/version.rs",
        "pub const V: &str = \"1\";\n",
    ));
    tree.retain(|f| f.path != "src/suite/mod.rs" && f.path != "src/suite/load.rs");
    replace(&mut tree, "src/report/mod.rs", "pub struct Report;\n");
    let problems = check(&table(), &tree);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with("src/version.rs: the module `version` has no row"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("README.md:9: the layout table names `suite`, which is no module"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("README.md:12: `report` may use `model`, but no file of it does"),
        "{problems:?}"
    );
}

#[test]
fn a_cycle_between_the_files_of_cli_is_reported_with_both_uses() {
    let mut tree = clean_tree();
    replace(
        &mut tree,
        "src/cli/pipeline.rs",
        "use crate::report;\n\nuse super::run::{self, Selection};\n",
    );
    assert_eq!(
        cycles(&tree, "cli"),
        ["src/cli: pipeline → run (src/cli/pipeline.rs:3) → pipeline (src/cli/run.rs:1)"]
    );
    // A child that reaches back into the module's own file closes a cycle with it too.
    replace(
        &mut tree,
        "src/cli/pipeline.rs",
        "fn f() { super::main() }\n",
    );
    replace(
        &mut tree,
        "src/cli/mod.rs",
        "mod run;\nmod pipeline;\npub fn main() { pipeline::f() }\n",
    );
    assert_eq!(
        cycles(&tree, "cli"),
        ["src/cli: mod → pipeline (src/cli/mod.rs:3) → mod (src/cli/pipeline.rs:1)"]
    );
}

#[test]
fn malformed_tables_are_refused() {
    assert!(table::parse("# x\n")
        .unwrap_err()
        .contains("no `## How the code is laid out`"));
    let bad_cell = README.replace("`model` (its types, for the schemas)", "model");
    assert!(table::parse(&bad_cell)
        .unwrap_err()
        .starts_with("README.md:10:"));
    let twice = README.replace("| `model` | types |", "| `suite` | types |");
    assert!(table::parse(&twice)
        .unwrap_err()
        .contains("`suite` has two rows"));
}
