//! The stated minimum Rust version is the lockfile's: `rust-version` in Cargo.toml equals the
//! highest `rust-version` among the locked dependencies (read from their sources, which the
//! build has fetched into cargo's registry), so neither a dependency update that needs a
//! newer compiler nor one that lowers the need goes unnoticed.

use std::path::{Path, PathBuf};

/// `1.89` and `1.89.0` alike, as (major, minor, patch).
fn version(text: &str) -> (u32, u32, u32) {
    let mut parts = text
        .trim()
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// The `rust-version` of the `[package]` of a manifest, if it states one.
fn rust_version(manifest: &str) -> Option<(u32, u32, u32)> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some(value) = line.strip_prefix("rust-version").filter(|_| in_package) {
            let value = value
                .trim_start()
                .strip_prefix('=')?
                .trim()
                .trim_matches('"');
            return Some(version(value));
        }
    }
    None
}

/// The (name, version) of every registry package of `Cargo.lock`.
fn locked(lock: &str) -> Vec<(String, String)> {
    lock.split("[[package]]")
        .filter(|block| block.contains("\nsource = \"registry+"))
        .filter_map(|block| {
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                    .map(|v| v.trim_end_matches('"').to_string())
            };
            Some((field("name")?, field("version")?))
        })
        .collect()
}

/// Where cargo unpacks registry sources: `$CARGO_HOME/registry/src/*`.
fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    std::fs::read_dir(home.join("registry/src"))
        .map(|dirs| dirs.filter_map(|d| d.ok().map(|d| d.path())).collect())
        .unwrap_or_default()
}

#[test]
fn the_stated_rust_version_is_the_highest_a_locked_dependency_needs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stated = rust_version(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap())
        .expect("Cargo.toml states a rust-version");
    let sources = registry_sources();
    let mut needs: Vec<((u32, u32, u32), String)> = Vec::new();
    let mut found = 0;
    for (name, v) in locked(&std::fs::read_to_string(root.join("Cargo.lock")).unwrap()) {
        let manifest = sources
            .iter()
            .map(|s| s.join(format!("{name}-{v}")).join("Cargo.toml"))
            .find(|m| m.is_file());
        let Some(manifest) = manifest else { continue };
        found += 1;
        if let Some(need) = rust_version(&std::fs::read_to_string(&manifest).unwrap()) {
            needs.push((need, format!("{name} {v}")));
        }
    }
    // The build fetched the sources of what it compiled: at least these must be there.
    assert!(
        found > 100,
        "only {found} locked packages found in {sources:?}"
    );
    let highest = needs
        .iter()
        .map(|(n, _)| *n)
        .max()
        .expect("some rust-version");
    let by: Vec<&str> = needs
        .iter()
        .filter(|(n, _)| *n == highest)
        .map(|(_, p)| p.as_str())
        .collect();
    assert_eq!(
        stated,
        highest,
        "Cargo.toml says rust-version {stated:?}; the lockfile needs {highest:?} ({})",
        by.join(", ")
    );
    // ci/README.md tells provider teams the same minimum.
    let ci = std::fs::read_to_string(root.join("ci/README.md")).unwrap();
    let said = format!("Rust ≥ {}.{}", stated.0, stated.1);
    assert!(ci.contains(&said), "ci/README.md should say {said:?}");
}

#[test]
fn manifests_and_lockfiles_are_read_as_cargo_writes_them() {
    let manifest = "[package]\nname = \"a\"\nrust-version = \"1.89\"\n\n[dependencies]\nrust-version = \"9\"\n";
    assert_eq!(rust_version(manifest), Some((1, 89, 0)));
    assert_eq!(
        rust_version("[dependencies]\nrust-version = \"1.2\"\n"),
        None
    );
    let lock = "version = 4\n\n[[package]]\nname = \"uuid\"\nversion = \"1.29.3\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"faas-certifier\"\nversion = \"0.1.0\"\n";
    assert_eq!(locked(lock), [("uuid".to_string(), "1.29.3".to_string())]);
}
