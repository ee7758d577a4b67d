//! The checks: every module uses only the modules its row lists, every listed door is
//! used, every module has a row, and the files of one module do not use each other in a
//! cycle.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::paths::{module_of, uses, Use};
use super::table::{Doors, Table};

/// A source file: its path from the crate root (`src/runner/mod.rs`) and its text.
pub struct Source {
    /// `src/…`.
    pub path: String,
    /// Its text.
    pub text: String,
}

impl Source {
    /// A file from its path and text.
    pub fn new(path: &str, text: &str) -> Self {
        Source {
            path: path.to_string(),
            text: text.to_string(),
        }
    }

    /// Its top-level module; none for the crate root (`lib.rs`, `main.rs`).
    fn module(&self) -> Option<String> {
        module_of(&self.path).into_iter().next()
    }
}

/// What breaks the table: each `file:line: why`, in file order.
pub fn check(table: &Table, files: &[Source]) -> Vec<String> {
    let modules: BTreeSet<String> = files.iter().filter_map(Source::module).collect();
    let mut problems = rows_match_modules(table, files, &modules);
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for file in files {
        let Some(own) = file.module() else { continue };
        let Some((doors, _)) = table.get(&own) else {
            continue;
        };
        for u in uses(&file.path, &file.text) {
            let Some(other) = u.name(0).filter(|m| *m != own && modules.contains(*m)) else {
                continue;
            };
            used.insert((own.clone(), other.to_string()));
            if !doors.opens(other) {
                problems.push(format!(
                    "{}:{}: `{own}` uses `{other}` ({}), which the README's layout table does \
                     not list under \"may use\" for `{own}`",
                    file.path,
                    u.line_of(0),
                    written(&u)
                ));
            }
        }
    }
    problems.extend(unused_doors(table, &used));
    problems
}

/// The path as `a::b::c`.
fn written(u: &Use) -> String {
    let names: Vec<&str> = u.segments.iter().map(|s| s.name.as_str()).collect();
    format!("crate::{}", names.join("::"))
}

/// A row per module, and a module per row and per door.
fn rows_match_modules(table: &Table, files: &[Source], modules: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for module in modules {
        if !table.contains_key(module) {
            let file = files
                .iter()
                .find(|f| f.module().as_ref() == Some(module))
                .map_or("src", |f| f.path.as_str());
            problems.push(format!(
                "{file}: the module `{module}` has no row in the README's layout table"
            ));
        }
    }
    for (module, (doors, line)) in table {
        if !modules.contains(module) {
            problems.push(format!(
                "README.md:{line}: the layout table names `{module}`, which is no module of src/"
            ));
        }
        if let Doors::Only(set) = doors {
            for door in set.iter().filter(|d| !modules.contains(*d)) {
                problems.push(format!(
                    "README.md:{line}: `{module}` may use `{door}`, which is no module of src/"
                ));
            }
        }
    }
    problems
}

/// Doors the table lists that no file goes through.
fn unused_doors(table: &Table, used: &BTreeSet<(String, String)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (module, (doors, line)) in table {
        let Doors::Only(set) = doors else { continue };
        for door in set {
            if !used.contains(&(module.clone(), door.clone())) {
                problems.push(format!(
                    "README.md:{line}: `{module}` may use `{door}`, but no file of it does; \
                     take the door out of the table"
                ));
            }
        }
    }
    problems
}

/// The cycles between the files of `module` (a node per child module, `mod` for the
/// module's own file), each as `a → b (file:line) → a (file:line)`.
pub fn cycles(files: &[Source], module: &str) -> Vec<String> {
    let edges = edges(files, module);
    let mut seen: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut out = Vec::new();
    for (a, b) in edges.keys() {
        let Some(back) = shortest_path(&edges, b, a) else {
            continue;
        };
        let mut cycle = vec![a.clone()];
        cycle.extend(back);
        cycle.pop(); // `a` again
        let start = (0..cycle.len()).min_by_key(|&k| &cycle[k]).unwrap_or(0);
        cycle.rotate_left(start);
        if !seen.insert(cycle.clone()) {
            continue;
        }
        let mut text = format!("src/{module}: {}", cycle[0]);
        for k in 0..cycle.len() {
            let (from, to) = (&cycle[k], &cycle[(k + 1) % cycle.len()]);
            text.push_str(&format!(" → {to} ({})", edges[&(from.clone(), to.clone())]));
        }
        out.push(text);
    }
    out
}

/// The uses between the files of `module`: (from, to) → the first `file:line` of one.
fn edges(files: &[Source], module: &str) -> BTreeMap<(String, String), String> {
    let node = |path: &[String]| -> Option<String> {
        (path.first().map(String::as_str) == Some(module))
            .then(|| path.get(1).cloned().unwrap_or_else(|| "mod".to_string()))
    };
    let children: BTreeSet<String> = files
        .iter()
        .filter_map(|f| node(&module_of(&f.path)))
        .collect();
    let mut edges = BTreeMap::new();
    for file in files {
        let Some(from) = node(&module_of(&file.path)) else {
            continue;
        };
        for u in uses(&file.path, &file.text) {
            if u.name(0) != Some(module) {
                continue;
            }
            let to = u
                .name(1)
                .filter(|n| children.contains(*n))
                .unwrap_or("mod")
                .to_string();
            if to != from {
                let line = if to == "mod" { u.line } else { u.line_of(1) };
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| format!("{}:{line}", file.path));
            }
        }
    }
    edges
}

/// The nodes from `from` to `to` (both included), fewest edges first.
fn shortest_path(
    edges: &BTreeMap<(String, String), String>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut came: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut path = vec![at];
            while let Some(prev) = came.get(path.last()?) {
                path.push(prev.clone());
            }
            path.reverse();
            return Some(path);
        }
        for (_, next) in edges.keys().filter(|(a, _)| *a == at) {
            if next != from && !came.contains_key(next) {
                came.insert(next.clone(), at.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}
