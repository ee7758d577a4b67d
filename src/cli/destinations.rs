//! Preflight of the report destinations: each can be written, checked before the run starts,
//! without touching an earlier report and without leaving anything behind (a folder the
//! check creates is removed again; the writers create it when they write).

use std::path::{Path, PathBuf};

use crate::report::Destinations;

/// `Err` naming the first destination of `to` that cannot be written.
pub fn check_destinations(to: &Destinations) -> Result<(), String> {
    if let Some(dir) = &to.dir {
        let cannot_create =
            |e| format!("cannot create the report directory {}: {e}", dir.display());
        in_folder(dir, cannot_create, || {
            let probe = dir.join(format!(".faas-certifier-{}", std::process::id()));
            writable(&probe).map_err(|e| {
                format!(
                    "the report directory {} is not writable: {e}",
                    dir.display()
                )
            })
        })?;
    }
    for (_, path) in &to.files {
        match parent(path) {
            Some(folder) => {
                let cannot_create = |e| {
                    format!(
                        "cannot create {} for {}: {e}",
                        folder.display(),
                        path.display()
                    )
                };
                in_folder(folder, cannot_create, || writable(path))?;
            }
            None => writable(path)?,
        }
    }
    if let Some(path) = &to.step_summary {
        if let Some(folder) = parent(path).filter(|f| !f.is_dir()) {
            return Err(format!(
                "$GITHUB_STEP_SUMMARY: cannot write {}: its folder {} does not exist",
                path.display(),
                folder.display()
            ));
        }
        writable(path).map_err(|e| format!("$GITHUB_STEP_SUMMARY: {e}"))?;
    }
    Ok(())
}

/// The folder `path` is in, unless it is the working directory.
fn parent(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

/// Runs `check` with `folder` in place: the folders missing on the way to it are created for
/// it and removed again afterwards (deepest first; one that something filled meanwhile stays).
fn in_folder(
    folder: &Path,
    cannot_create: impl FnOnce(std::io::Error) -> String,
    check: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let missing: Vec<PathBuf> = folder
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .map(Path::to_path_buf)
        .collect();
    let result = std::fs::create_dir_all(folder)
        .map_err(cannot_create)
        .and_then(|()| check());
    for created in &missing {
        let _ = std::fs::remove_dir(created);
    }
    result
}

/// Whether `path` can be written: an existing file is opened to append nothing, a new one
/// is created and removed again.
fn writable(path: &Path) -> Result<(), String> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}
