//! The README's layout table ("How the code is laid out"): each module and the modules it
//! may use.

use std::collections::{BTreeMap, BTreeSet};

/// The heading the table follows.
pub const HEADING: &str = "## How the code is laid out";

/// The modules one module may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doors {
    /// Any module (`everything`).
    Everything,
    /// These (`—` for none).
    Only(BTreeSet<String>),
}

impl Doors {
    /// Whether `module` is behind one of these doors.
    pub fn opens(&self, module: &str) -> bool {
        match self {
            Doors::Everything => true,
            Doors::Only(set) => set.contains(module),
        }
    }
}

/// Each module of the table, by name, with its doors and the README line of its row.
pub type Table = BTreeMap<String, (Doors, usize)>;

/// Parses the table under [`HEADING`]: its header must be `| module | owns | may use |`;
/// a row's module is `` `name` ``; its "may use" cell is `everything`, `—`, or a
/// comma-separated list of `` `name` ``, each optionally followed by `(why)`.
pub fn parse(readme: &str) -> Result<Table, String> {
    let start = readme
        .lines()
        .position(|l| l.trim() == HEADING)
        .ok_or_else(|| format!("README.md has no `{HEADING}` section"))?;
    let mut rows = readme
        .lines()
        .enumerate()
        .skip(start + 1)
        .skip_while(|(_, l)| !l.starts_with('|'))
        .take_while(|(_, l)| l.starts_with('|'));
    let header = rows.next().map(|(_, l)| cells(l)).unwrap_or_default();
    if header != ["module", "owns", "may use"] {
        return Err(format!(
            "the table under `{HEADING}` must have the columns module | owns | may use, not {header:?}"
        ));
    }
    rows.next(); // |---|---|---|
    let mut table = Table::new();
    for (n, line) in rows {
        let at = |e: String| format!("README.md:{}: {e}", n + 1);
        let row = cells(line);
        let [module, _, doors] = row.as_slice() else {
            return Err(at(format!("a row needs 3 cells, not {}", row.len())));
        };
        let module =
            ticked(module).ok_or_else(|| at(format!("the module {module:?} is not `name`")))?;
        let doors = parse_doors(doors).map_err(at)?;
        if table.insert(module.to_string(), (doors, n + 1)).is_some() {
            return Err(at(format!("`{module}` has two rows")));
        }
    }
    Ok(table)
}

/// The trimmed cells of a table row.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// `` `name` `` to `name`.
fn ticked(cell: &str) -> Option<&str> {
    let name = cell.strip_prefix('`')?.strip_suffix('`')?;
    let word = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    (!name.is_empty() && name.chars().all(word)).then_some(name)
}

/// A "may use" cell.
fn parse_doors(cell: &str) -> Result<Doors, String> {
    match cell {
        "everything" => return Ok(Doors::Everything),
        "—" => return Ok(Doors::Only(BTreeSet::new())),
        _ => {}
    }
    let mut set = BTreeSet::new();
    for item in split_outside_parens(cell) {
        let item = item.trim();
        let (name, why) = match item.find(' ') {
            Some(k) => (&item[..k], item[k..].trim()),
            None => (item, ""),
        };
        let reason_ok = why.is_empty() || (why.starts_with('(') && why.ends_with(')'));
        match ticked(name) {
            Some(name) if reason_ok => {
                set.insert(name.to_string());
            }
            _ => {
                return Err(format!(
                    "\"may use\" lists `name` or `name` (why), comma-separated, not {item:?}"
                ))
            }
        }
    }
    Ok(Doors::Only(set))
}

/// `cell` split at the commas that are outside parentheses.
fn split_outside_parens(cell: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0i32, 0);
    for (k, c) in cell.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&cell[from..k]);
                from = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&cell[from..]);
    parts
}
