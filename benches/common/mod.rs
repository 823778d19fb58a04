//! What the benches share: the generated corpora they measure on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A generated corpus of `size` documents under `target/bench/corpora`, made
/// once by `../shared/bench/gen_corpus.py` and shared by every bench.
pub(crate) fn corpus(size: usize) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join(format!("target/bench/corpora/serve-{size}"));
    if !dir.join(".done").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new("python3")
            .arg(manifest.join("../shared/bench/gen_corpus.py"))
            .arg(size.to_string())
            .arg(&dir)
            .stdout(Stdio::null())
            .status()
            .expect("python3 runs gen_corpus.py");
        assert!(status.success(), "gen_corpus.py failed");
        std::fs::write(dir.join(".done"), "").expect("mark corpus");
    }
    dir
}
