//! A real editor as the client of `throughline lsp`: tests/nvim/lsp_check.lua
//! in headless Neovim. The protocol itself is tested, message by message,
//! in `tests/testsuite/lsp.rs`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{wait_within, SiteTest};

/// 2026-11-24, the day the example site is judged on.
const EPOCH: &str = "1795478400";

/// A real editor as the client: tests/nvim/lsp_check.lua in headless Neovim.
/// Skipped with a note where `nvim` is missing, except in CI (`CI=true`),
/// where .ci/run installs it and a missing `nvim` fails.
#[test]
fn neovim_as_the_client() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "nvim is missing; .ci/run installs Debian's `neovim` package"
        );
        eprintln!("note: nvim not found; the Neovim check is skipped (apt-get install neovim)");
        return;
    }
    let site = SiteTest::example();
    let state = tempfile::tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/lsp_check.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("THROUGHLINE_BIN", env!("CARGO_BIN_EXE_throughline"))
        .env("SITE_ROOT", site.root())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        // Neovim's log and state go to a throwaway folder.
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path())
        .env("XDG_DATA_HOME", state.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nvim");
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = wait_within(&mut child, Duration::from_secs(60), "nvim");
    let log = reader.join().unwrap_or_default();
    assert!(
        status.success(),
        "the Neovim check failed ({status}):\n{log}"
    );
    assert!(log.contains("all checks passed"), "{log}");
}
