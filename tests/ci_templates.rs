//! The CI templates under `ci/` write each report once: every run they start passes
//! `--report-dir`, which holds one file per format, and none adds a format's single-file flag
//! (`--junit`, `--json`, `--markdown`, `--html`), which would name the same report again.

use std::path::{Path, PathBuf};

use faas_certifier::report::FORMATS;

/// The scripts and pipelines under `ci/`: `*.yml`, `*.yaml`, `*.sh`.
fn templates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("ci")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "yml" || e == "yaml" || e == "sh")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Each line of `text` that passes one of the formats' single-file flags.
fn single_file_flags(text: &str) -> Vec<String> {
    let flags: Vec<String> = FORMATS.iter().map(|f| format!("--{}", f.key())).collect();
    text.lines()
        .filter(|line| {
            line.split(|c: char| c.is_whitespace() || c == '(' || c == '=')
                .any(|word| flags.iter().any(|f| f == word))
        })
        .map(|line| line.trim().to_string())
        .collect()
}

#[test]
fn the_ci_templates_name_each_report_once() {
    let files = templates();
    assert!(files.len() >= 4, "{files:?}");
    let mut runs = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let twice = single_file_flags(&text);
        assert!(
            twice.is_empty(),
            "{}: --report-dir already writes these: {twice:?}",
            path.display()
        );
        runs += text.matches("--report-dir").count();
    }
    // The GitHub action, the GitLab pipeline and the smoke script each start a run.
    assert!(runs >= 3, "only {runs} runs with --report-dir in {files:?}");
}

#[test]
fn a_single_file_flag_is_found_wherever_it_is_written() {
    let found = single_file_flags(
        "args=(run\n  --report-dir r --junit r/junit.xml\n  x --markdown=r/s.md)\n# --jsonl\n",
    );
    assert_eq!(
        found,
        ["--report-dir r --junit r/junit.xml", "x --markdown=r/s.md)"]
    );
}
