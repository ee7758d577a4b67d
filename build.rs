//! Records the git commit the binary was built from, for `--version` and `/system/info`.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=FAAS_CERTIFIER_GIT_SHA");
    // A container build has no .git: it passes the commit in the environment.
    if let Some(sha) = std::env::var("FAAS_CERTIFIER_GIT_SHA").ok().filter(|s| !s.is_empty()) {
        println!("cargo:rustc-env=FAAS_CERTIFIER_GIT_SHA={sha}");
        return;
    }
    let sha = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=FAAS_CERTIFIER_GIT_SHA={sha}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
