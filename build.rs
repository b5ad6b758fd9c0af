//! Build script: embeds the git revision of the source tree as `MILLAGE_GIT_REV` (the
//! `git_revision` of every manifest), so a run never shells out to git.
//!
//! The revision is `git rev-parse --short=12 HEAD`, as the manifests reported before (no dirty
//! flag); a tree without git (a source tarball, a CI checkout without `.git`) reports
//! "unknown".

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let revision = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MILLAGE_GIT_REV={revision}");
    println!("cargo:rerun-if-changed=build.rs");
    // Rerun when HEAD moves: HEAD itself (a checkout) and the branch it names (a commit), loose
    // or packed. In a worktree the branch lives in the common git directory. Only existing
    // files are named: cargo reruns on every build for a missing one.
    let (Some(git_dir), common) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return;
    };
    let head = PathBuf::from(&git_dir).join("HEAD");
    let mut watched = vec![head.clone()];
    let dirs: Vec<PathBuf> = [Some(git_dir), common]
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .collect();
    if let Some(reference) = std::fs::read_to_string(&head)
        .ok()
        .and_then(|t| t.strip_prefix("ref: ").map(|r| r.trim().to_string()))
    {
        for dir in &dirs {
            watched.push(dir.join(&reference));
            watched.push(dir.join("packed-refs"));
        }
    }
    for path in watched.iter().filter(|p| p.is_file()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
