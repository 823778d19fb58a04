//! `lsp`: the real binary spoken to over stdio with Content-Length framing,
//! as an editor would: every feature, and the inputs an editor should not
//! send but sometimes does.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::SiteTest;

/// How long to wait for an answer before failing.
const PATIENCE: Duration = Duration::from_secs(20);
/// 2026-11-24, the day the example site is judged on.
const EPOCH: &str = "1795478400";

/// A running `throughline lsp`, killed when dropped.
pub(crate) struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
    root: PathBuf,
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

pub(crate) fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// Starts the server and initializes it on `root` with `capabilities`.
    pub(crate) fn start(root: &Path, capabilities: Value) -> Client {
        Client::start_with_env(root, capabilities, &[])
    }

    /// [`Client::start`] with `env` set for the server.
    pub(crate) fn start_with_env(root: &Path, capabilities: Value, env: &[(&str, &str)]) -> Client {
        let mut client = Client::spawn(root, env);
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": uri(root), "capabilities": capabilities }),
        );
        assert!(init.get("result").is_some(), "{init}");
        client.notify("initialized", json!({}));
        client
    }

    /// Starts the server without initializing it.
    fn spawn(root: &Path, env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
            .arg("lsp")
            .current_dir(root)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn throughline lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming: rx,
            seen: Vec::new(),
            next_id: 0,
            root: root.to_path_buf(),
        }
    }

    pub(crate) fn uri(&self, rel: &str) -> String {
        uri(&self.root.join(rel))
    }

    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    pub(crate) fn send(&mut self, message: Value) {
        self.send_raw(&frame(&message.to_string()));
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its id.
    pub(crate) fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message for which `wanted` holds (others are kept in `seen`).
    pub(crate) fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&wanted) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.seen.push(message),
                Err(_) => panic!("no {what} within {PATIENCE:?}; seen: {:#?}", self.seen),
            }
        }
    }

    /// The response to request `id`.
    pub(crate) fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// Sends a request and returns the whole response.
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request and returns its result, failing on an error.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The code actions offered at `line` and `character` of `rel`.
    pub(crate) fn code_actions(&mut self, rel: &str, line: u32, character: u32) -> Vec<Value> {
        let at = json!({ "line": line, "character": character });
        let actions = self.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": self.uri(rel) }, "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
        );
        actions.as_array().expect("actions").clone()
    }

    pub(crate) fn open(&mut self, rel: &str) -> String {
        let text = std::fs::read_to_string(self.root.join(rel)).expect("read");
        self.open_text(rel, &text);
        text
    }

    pub(crate) fn open_text(&mut self, rel: &str, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    pub(crate) fn change(&mut self, rel: &str, version: i64, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// The next diagnostics published for `rel` (at `version`, when given).
    pub(crate) fn diagnostics(&mut self, rel: &str, version: Option<i64>) -> Vec<Value> {
        let uri = self.uri(rel);
        let message = self.wait_for(&format!("diagnostics for {rel}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `textDocument/<method>` at 0-based `line`, `character` of `rel`.
    pub(crate) fn at(
        &mut self,
        method: &str,
        rel: &str,
        line: u32,
        character: u32,
        extra: Value,
    ) -> Value {
        let mut params = json!({
            "textDocument": { "uri": self.uri(rel) },
            "position": { "line": line, "character": character },
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.call(&format!("textDocument/{method}"), params)
    }

    /// Closes stdin and returns the exit code.
    pub(crate) fn close_and_wait(mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown`, `exit`, and the exit code.
    pub(crate) fn shut_down(mut self) -> i32 {
        let result = self.call("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        self.close_and_wait()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (line, character) of the first `needle` in `text`, counting UTF-16 units.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    let character = text[line_start..at].encode_utf16().count() as u32;
    (line, character)
}

/// The byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The code action titled `title`.
fn action<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    find_action(actions, title, |t| t == title)
}

/// The code action whose title starts with `start`.
fn action_starting<'a>(actions: &'a [Value], start: &str) -> &'a Value {
    find_action(actions, start, |t| t.starts_with(start))
}

fn find_action<'a>(actions: &'a [Value], what: &str, title: impl Fn(&str) -> bool) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(&title))
        .unwrap_or_else(|| panic!("no code action `{what}` in {actions:#?}"))
}

/// `text` with one LSP text edit applied.
fn apply(text: &str, edit: &Value) -> String {
    let start = offset_of(text, &edit["range"]["start"]);
    let end = offset_of(text, &edit["range"]["end"]);
    let mut out = text.to_string();
    out.replace_range(start..end, edit["newText"].as_str().expect("newText"));
    out
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn labels(items: &Value) -> Vec<String> {
    let list = items.get("items").unwrap_or(items);
    let mut out: Vec<String> = list
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["label"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

const BET: &str = "bets/bet-instant-payouts.md";

#[test]
fn diagnostics_follow_unsaved_edits_like_check() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    assert!(client.diagnostics(BET, Some(1)).is_empty());
    let broken = text.replace("parent: ps-payouts", "parent: ps-payout");
    client.change(BET, 2, &broken);
    let found = client.diagnostics(BET, Some(2));
    assert_eq!(codes(&found), ["broken-link"], "{found:#?}");
    let d = &found[0];
    assert_eq!(d["source"], "throughline");
    assert_eq!(d["severity"], 1);
    assert!(d["codeDescription"]["href"]
        .as_str()
        .is_some_and(|h| h.ends_with("docs/rules.md#broken-link")));
    assert_eq!(
        d["message"],
        "no document has the id `ps-payout`\nhint: did you mean `ps-payouts`?"
    );
    let (line, character) = position(&broken, "ps-payout\n");
    assert_eq!(
        d["range"]["start"],
        json!({ "line": line, "character": character })
    );
    assert_eq!(
        d["range"]["end"],
        json!({ "line": line, "character": character + 9 })
    );
    // Nothing was saved: `check` on disk still finds no error.
    let check = site.run_with_env(
        &["check", "ROOT", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", EPOCH)],
    );
    assert!(!check.stdout.contains("broken-link"));
    client.change(BET, 3, &text);
    assert!(client.diagnostics(BET, Some(3)).is_empty());
    // Prose typed at the end changes no finding (the analysis is kept, the
    // text swapped in place); a link typed after it is found at once.
    let prose = format!("{text}\nMore words");
    client.change(BET, 4, &prose);
    let end = prose.lines().count() as u32 - 1;
    assert_eq!(client.at("hover", BET, end, 2, json!({})), Value::Null);
    let linked = format!("{prose} and [[bet-nowhere]].\n");
    client.change(BET, 5, &linked);
    let found = client.diagnostics(BET, Some(5));
    assert_eq!(codes(&found), ["broken-link"]);
    assert_eq!(
        found[0]["range"]["start"],
        json!({ "line": end, "character": 15 })
    );
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_change_in_one_document_updates_the_findings_of_another() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    client.open(BET);
    let parent = client.open("products/ps-payouts.md");
    assert!(client.diagnostics(BET, Some(1)).is_empty());
    client.change(
        "products/ps-payouts.md",
        2,
        &parent.replace("id: ps-payouts", "id: ps-payouts-renamed"),
    );
    let found = client.diagnostics(BET, Some(1));
    assert!(
        codes(&found).contains(&"broken-link".to_string()),
        "{found:#?}"
    );
    client.change("products/ps-payouts.md", 3, &parent);
    assert!(client.diagnostics(BET, Some(1)).is_empty());
}

#[test]
fn files_changed_on_disk_are_analysed_again() {
    let site = SiteTest::example();
    let mut client = Client::start(
        site.root(),
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    // The server asks to be told about changed files.
    let register = client.wait_for("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    assert_eq!(
        register["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    client.open(BET);
    assert!(client.diagnostics(BET, Some(1)).is_empty());
    std::fs::remove_file(site.root().join("products/ps-payouts.md")).expect("remove");
    let changed = client.uri("products/ps-payouts.md");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": changed, "type": 3 }] }),
    );
    let found = client.diagnostics(BET, Some(1));
    assert!(
        codes(&found).contains(&"broken-link".to_string()),
        "{found:#?}"
    );
}

const UNICODE_DOC: &str =
    "---\nid: bet-café\nkind: page\ntitle: Café 🚀 plans\n---\nCafé 🚀 see [[nope]].\n";

#[test]
fn positions_count_utf16_units_unless_utf8_is_agreed() {
    for (offered, expected_start, encoding) in [
        (json!(null), 12, "utf-16"),
        (json!(["utf-8", "utf-16"]), 15, "utf-8"),
    ] {
        let site = SiteTest::new().file("pages/cafe.md", UNICODE_DOC);
        let mut client = Client::spawn(site.root(), &[]);
        let mut caps = json!({});
        if !offered.is_null() {
            caps = json!({ "general": { "positionEncodings": offered } });
        }
        let init = client.call(
            "initialize",
            json!({ "rootUri": uri(site.root()), "capabilities": caps }),
        );
        assert_eq!(init["capabilities"]["positionEncoding"], encoding);
        client.notify("initialized", json!({}));
        client.open("pages/cafe.md");
        let found = client.diagnostics("pages/cafe.md", Some(1));
        assert_eq!(codes(&found), ["broken-link"]);
        // `Café 🚀 see ` is 12 UTF-16 units and 15 bytes; the link is 8 characters of ASCII.
        assert_eq!(
            found[0]["range"]["start"],
            json!({ "line": 5, "character": expected_start })
        );
        assert_eq!(
            found[0]["range"]["end"],
            json!({ "line": 5, "character": expected_start + 8 })
        );
    }
}

#[test]
fn completion_offers_only_what_the_field_accepts() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    let (line, ch) = position(&text, "ps-payouts\n");
    let parents = client.at("completion", BET, line, ch + 3, json!({}));
    assert_eq!(
        labels(&parents),
        ["ps-cashflow", "ps-lending", "ps-payouts"]
    );
    let first = &parents.as_array().expect("items")[0];
    assert_eq!(
        first["detail"],
        "Product strategy: Cash-flow foresight for the owner"
    );
    let (line, ch) = position(&text, "team-payouts");
    let teams = client.at("completion", BET, line, ch, json!({}));
    assert_eq!(
        labels(&teams),
        ["team-insights", "team-payouts", "team-platform"]
    );
    let (line, ch) = position(&text, "m-same-day-rate");
    let metrics = labels(&client.at("completion", BET, line, ch, json!({})));
    assert!(
        metrics.iter().all(|m| m.starts_with("m-")) && metrics.len() == 5,
        "{metrics:?}"
    );
    let (line, _) = position(&text, "status: in-progress");
    let statuses = labels(&client.at("completion", BET, line, 8, json!({})));
    assert!(
        statuses.contains(&"committed".to_string()) && statuses.len() == 7,
        "{statuses:?}"
    );
    let (line, _) = position(&text, "size: big");
    assert_eq!(
        labels(&client.at("completion", BET, line, 6, json!({}))),
        ["big", "medium", "small"]
    );
    let (line, _) = position(&text, "confidence:");
    let levels = labels(&client.at("completion", BET, line, 25, json!({})));
    assert_eq!(levels, ["high", "low", "medium"]);
    let (line, _) = position(&text, "kind: bet");
    let kinds = labels(&client.at("completion", BET, line, 6, json!({})));
    assert!(kinds.contains(&"product-strategy".to_string()) && kinds.contains(&"page".to_string()));
    // A new line in the front matter: the bet's fields not written yet come first.
    let edited = text.replacen("related: [bet-payout-status]\n", "lno: leverage\nrel\n", 1);
    client.change(BET, 2, &edited);
    let (line, _) = position(&edited, "rel\n");
    let fields = client.at("completion", BET, line, 3, json!({}));
    let names = labels(&fields);
    assert!(names.contains(&"related".to_string()), "{names:?}");
    assert!(!names.contains(&"parent".to_string()) && !names.contains(&"lno".to_string()));
    // Inside `[[`: every id, with `#` the target's headings.
    let edited = format!("{text}\nSee [[ps-pay");
    client.change(BET, 3, &edited);
    let last = edited.lines().count() as u32 - 1;
    let ids = labels(&client.at("completion", BET, last, 12, json!({})));
    assert!(ids.len() > 40 && ids.contains(&"cs-fernhill".to_string()));
    let edited = format!("{text}\nSee [[ps-payouts#");
    client.change(BET, 4, &edited);
    let anchors = labels(&client.at("completion", BET, last, 17, json!({})));
    assert!(anchors.contains(&"for-whom".to_string()), "{anchors:?}");
}

#[test]
fn definition_follows_ids_headings_and_paths() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    let ps = client.uri("products/ps-payouts.md");
    let (line, ch) = position(&text, "ps-payouts\n");
    let found = client.at("definition", BET, line, ch + 2, json!({}));
    assert_eq!(found["uri"], ps.as_str());
    assert_eq!(
        found["range"]["start"],
        json!({ "line": 1, "character": 4 })
    );
    // `[[id#heading]]` goes to the heading's line.
    let edited = format!("{text}\nSee [[ps-payouts#for-whom]].\n");
    client.change(BET, 2, &edited);
    let last = edited.lines().count() as u32 - 1;
    let found = client.at("definition", BET, last, 8, json!({}));
    let target = std::fs::read_to_string(site.root().join("products/ps-payouts.md")).expect("read");
    let (heading_line, _) = position(&target, "## For whom");
    assert_eq!(found["range"]["start"]["line"], heading_line);
    // A relative `.md` link.
    let status = client.open("bets/bet-payout-status.md");
    let (line, ch) = position(&status, "(bet-instant-payouts.md)");
    let found = client.at(
        "definition",
        "bets/bet-payout-status.md",
        line,
        ch + 3,
        json!({}),
    );
    assert_eq!(found["uri"], client.uri(BET).as_str());
    // Nothing at a plain word.
    assert_eq!(client.at("definition", BET, 0, 0, json!({})), Value::Null);
}

#[test]
fn references_hover_and_symbols() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    client.open(BET);
    let refs = client.at(
        "references",
        BET,
        1,
        6,
        json!({ "context": { "includeDeclaration": false } }),
    );
    let files: Vec<String> = refs
        .as_array()
        .expect("list")
        .iter()
        .map(|l| {
            l["uri"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    for expected in [
        "ps-payouts.md",
        "obj-same-day-rate.md",
        "review-2026-q3.md",
        "bet-payout-status.md",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "{expected} not in {files:?}"
        );
    }
    assert!(!files.contains(&"bet-instant-payouts.md".to_string()));
    let with_declaration = client.at(
        "references",
        BET,
        1,
        6,
        json!({ "context": { "includeDeclaration": true } }),
    );
    assert_eq!(
        with_declaration.as_array().map(Vec::len),
        refs.as_array().map(|r| r.len() + 1)
    );

    let hover = client.at("hover", BET, 4, 10, json!({}));
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.starts_with("**Payouts merchants can plan around** · `ps-payouts`"),
        "{value}"
    );
    assert!(
        value.contains("Product strategy · active · owner: Daniel Reyes"),
        "{value}"
    );
    assert!(
        value.contains("Trail: `cs-fernhill` › `ps-payouts`"),
        "{value}"
    );

    // Hover on a document's own id shows its findings.
    client.open("products/ps-lending.md");
    let hover = client.at("hover", "products/ps-lending.md", 1, 6, json!({}));
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.contains("Findings:\n- warning `stale` (line 8): product strategy was last reviewed 259 days ago"),
        "{value}"
    );

    let symbols = client.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": client.uri(BET) } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["Why this bet", "What has to be true", "Plan"]);
    let found = client.call("workspace/symbol", json!({ "query": "same day" }));
    let names: Vec<&str> = found
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("m-same-day-rate")),
        "{names:?}"
    );
}

#[test]
fn rename_changes_the_id_and_every_reference_with_versions() {
    let site = SiteTest::example();
    let mut client = Client::start(
        site.root(),
        json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } }),
    );
    client.open(BET);
    let prepared = client.at("prepareRename", BET, 1, 6, json!({}));
    assert_eq!(prepared["placeholder"], "bet-instant-payouts");
    assert_eq!(
        prepared["range"]["start"],
        json!({ "line": 1, "character": 4 })
    );
    let edit = client.at("rename", BET, 1, 6, json!({ "newName": "bet-same-day" }));
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    let mut edited_files = Vec::new();
    let mut count = 0;
    for change in changes {
        let uri = change["textDocument"]["uri"].as_str().expect("uri");
        let rel = uri.rsplit('/').next().expect("name").to_string();
        // The open buffer is named with its version; files on disk with null.
        let expected_version = if rel == "bet-instant-payouts.md" {
            json!(1)
        } else {
            Value::Null
        };
        assert_eq!(change["textDocument"]["version"], expected_version, "{rel}");
        for e in change["edits"].as_array().expect("edits") {
            assert_eq!(e["newText"], "bet-same-day");
            count += 1;
        }
        edited_files.push(rel);
    }
    for expected in [
        "bet-instant-payouts.md",
        "ps-payouts.md",
        "obj-same-day-rate.md",
        "review-2026-q3.md",
        "dec-single-rail.md",
        "dec-fallback-rail.md",
    ] {
        assert!(
            edited_files.contains(&expected.to_string()),
            "{expected}: {edited_files:?}"
        );
    }
    // The declaration, and 11 references by id (the `.md` link in bet-payout-status names the file,
    // which stays); review-2026-q4-midpoint names it twice; each decision's `decides:` once.
    assert_eq!(count, 12, "{edited_files:?}");
    // Apply the edits to every file and check the site: nothing left broken.
    for change in changes {
        let path = change["textDocument"]["uri"]
            .as_str()
            .expect("uri")
            .trim_start_matches("file://")
            .to_string();
        let mut text = std::fs::read_to_string(&path).expect("read");
        let mut edits: Vec<&Value> = change["edits"].as_array().expect("edits").iter().collect();
        edits.sort_by_key(|e| {
            std::cmp::Reverse((
                e["range"]["start"]["line"].as_u64(),
                e["range"]["start"]["character"].as_u64(),
            ))
        });
        for e in edits {
            let line = e["range"]["start"]["line"].as_u64().expect("line") as usize;
            let start = e["range"]["start"]["character"].as_u64().expect("ch") as usize;
            let end = e["range"]["end"]["character"].as_u64().expect("ch") as usize;
            let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
            // The example site is ASCII where ids are written, so units are bytes.
            text.replace_range(line_start + start..line_start + end, "bet-same-day");
        }
        std::fs::write(&path, text).expect("write");
    }
    let check = site.run_with_env(
        &["check", "ROOT", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", EPOCH)],
    );
    assert!(!check.stdout.contains("broken-link"), "{}", check.stdout);
    assert!(
        check.stdout.is_empty() || !check.stdout.contains("\"error\""),
        "{}",
        check.stdout
    );

    // Refused: an id that exists, an invalid one.
    let mut client = Client::start(site.root(), json!({}));
    client.open("products/ps-payouts.md");
    for (new_name, why) in [
        ("ps-lending", "already exists"),
        ("Payouts Plan", "not a valid id"),
    ] {
        let refused = client.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": client.uri("products/ps-payouts.md") }, "position": { "line": 1, "character": 6 }, "newName": new_name }),
        );
        assert!(
            refused["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(why)),
            "{new_name}: {refused}"
        );
    }
}

#[test]
fn renaming_an_id_that_comes_from_the_file_name_writes_it() {
    let site = SiteTest::new()
        .file("teams/team-x.md", "---\nkind: team\ntitle: X\n---\nThe X team.\n")
        .file("notes.md", "Ask [[team-x]].\n")
        .file(
            "pages/p.md",
            "---\nid: p\nrelated: [team-x]\n---\nSee [[team-x|them]] and [the file](../teams/team-x.md).\n",
        );
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open("pages/p.md");
    let (line, ch) = position(&text, "team-x]");
    let edit = client.at(
        "rename",
        "pages/p.md",
        line,
        ch + 1,
        json!({ "newName": "team-y" }),
    );
    let changes = edit["changes"].as_object().expect("changes");
    let edited = |rel: &str| -> String {
        let original = std::fs::read_to_string(site.root().join(rel)).expect("read");
        let mut edits: Vec<&Value> = changes[&client.uri(rel)]
            .as_array()
            .expect("edits")
            .iter()
            .collect();
        // Last first, so earlier offsets stay valid.
        edits.sort_by_key(|e| std::cmp::Reverse(offset_of(&original, &e["range"]["start"])));
        edits
            .into_iter()
            .fold(original.clone(), |t, e| apply(&t, e))
    };
    assert_eq!(
        edited("teams/team-x.md"),
        "---\nkind: team\ntitle: X\nid: team-y\n---\nThe X team.\n"
    );
    assert_eq!(
        edited("notes.md"),
        "---\nid: team-y\n---\nAsk [[team-y]].\n".replace("---\nid: team-y\n---\n", "")
    );
    assert_eq!(
        edited("pages/p.md"),
        "---\nid: p\nrelated: [team-y]\n---\nSee [[team-y|them]] and [the file](../teams/team-x.md).\n"
    );
    // A file without front matter gets one.
    client.open("notes.md");
    let found = client.request(
        "textDocument/prepareRename",
        json!({ "textDocument": { "uri": client.uri("notes.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(
        found["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no id here")),
        "{found}"
    );
    let page = "---\nid: p2\n---\n[[notes]]\n";
    client.open_text("pages/p2.md", page);
    let edit = client.at("rename", "pages/p2.md", 3, 3, json!({ "newName": "asked" }));
    let notes = &edit["changes"][client.uri("notes.md")][0];
    assert_eq!(
        apply("Ask [[team-x]].\n", notes),
        "---\nid: asked\n---\nAsk [[team-x]].\n"
    );
}

#[test]
fn code_actions_fix_what_is_mechanical() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    let broken = text.replace("parent: ps-payouts", "parent: ps-payout");
    client.change(BET, 2, &broken);
    client.diagnostics(BET, Some(2));
    let (line, ch) = position(&broken, "ps-payout\n");
    let list = client.code_actions(BET, line, ch);
    let fix = action(&list, "Change `ps-payout` to `ps-payouts`");
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"]["changes"][client.uri(BET)][0];
    assert_eq!(edit["newText"], "ps-payouts");
    assert_eq!(
        edit["range"]["start"],
        json!({ "line": line, "character": ch })
    );
    let reviewed = action(&list, "Mark reviewed today (2026-11-24)");
    let edit = &reviewed["edit"]["changes"][client.uri(BET)][0];
    // What `throughline review` writes: the date (the parent is broken, so no stamp).
    assert_eq!(
        apply(&broken, edit),
        broken.replace("reviewed: 2026-11-03", "reviewed: 2026-11-24")
    );
    // With the parent resolved, its fingerprint is stamped for drift too.
    client.change(BET, 3, &text);
    client.diagnostics(BET, Some(3));
    let actions = client.code_actions(BET, line, ch);
    let reviewed = action(&actions, "Mark reviewed today (2026-11-24)");
    let applied = apply(&text, &reviewed["edit"]["changes"][client.uri(BET)][0]);
    assert!(applied.contains("\nreviewed: 2026-11-24\n"), "{applied}");
    assert!(
        applied.contains("\nreviewed_against: {ps-payouts: "),
        "{applied}"
    );

    // A bare bet gets its kind's missing fields, as `new` writes them.
    let bare = "---\nid: bet-bare\nkind: bet\ntitle: Bare\n---\nText.\n";
    client.open_text("bets/bet-bare.md", bare);
    client.diagnostics("bets/bet-bare.md", Some(1));
    let actions = client.code_actions("bets/bet-bare.md", 5, 0);
    let missing = action_starting(&actions, "Add the missing fields of a `bet`");
    let edit = &missing["edit"]["changes"][client.uri("bets/bet-bare.md")][0];
    assert_eq!(edit["range"]["start"], json!({ "line": 4, "character": 0 }));
    let inserted = edit["newText"].as_str().expect("text");
    for field in [
        "parent:",
        // Left for the author, as `new` leaves it when nothing gives a quarter.
        "quarter: ",
        "status: proposed",
        "success:",
        "reviewed: 2026-11-24",
    ] {
        assert!(inserted.contains(field), "{field} not in {inserted}");
    }
    // The document with the fields inserted parses (no yaml or schema error about them).
    let filled = bare.replacen("---\nText", &format!("{inserted}---\nText"), 1);
    client.change("bets/bet-bare.md", 2, &filled);
    let found = client.diagnostics("bets/bet-bare.md", Some(2));
    assert!(!codes(&found).contains(&"yaml".to_string()), "{found:#?}");
}

#[test]
fn the_missing_fields_are_added_in_the_documents_line_ends() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let bare = "---\r\nid: bet-crlf\r\nkind: bet\r\ntitle: Bare # a note\r\n---\r\nText.\r\n";
    client.open_text("bets/bet-crlf.md", bare);
    client.diagnostics("bets/bet-crlf.md", Some(1));
    let actions = client.code_actions("bets/bet-crlf.md", 5, 0);
    let missing = action_starting(&actions, "Add the missing fields of a `bet`");
    let edit = &missing["edit"]["changes"][client.uri("bets/bet-crlf.md")][0];
    let filled = apply(bare, edit);
    assert!(filled.contains("\r\nstatus: proposed "), "{filled:?}");
    // Every line still ends in CRLF: no bare `\n` was written.
    let bare_newlines = filled
        .match_indices('\n')
        .filter(|&(i, _)| !filled[..i].ends_with('\r'))
        .count();
    assert_eq!(bare_newlines, 0, "{filled:?}");
    assert!(filled.starts_with("---\r\nid: bet-crlf\r\nkind: bet\r\ntitle: Bare # a note\r\n"));
    assert!(filled.ends_with("\r\n---\r\nText.\r\n"), "{filled:?}");
    client.change("bets/bet-crlf.md", 2, &filled);
    let found = client.diagnostics("bets/bet-crlf.md", Some(2));
    assert!(!codes(&found).contains(&"yaml".to_string()), "{found:#?}");
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let site = SiteTest::example();
    let mut client = Client::spawn(site.root(), &[]);
    // Before `initialize`, requests are refused.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    client.call(
        "initialize",
        json!({ "rootUri": uri(site.root()), "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    client.send_raw(&frame("{this is not json"));
    let error = client.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(error["id"], Value::Null);
    client.send_raw(&frame(r#"{"jsonrpc":"2.0","id":77,"params":{}}"#));
    let error = client.wait_for("invalid request", |m| m["id"] == 77);
    assert_eq!(error["error"]["code"], -32600);
    client.send_raw(b"Content-Type: nothing\r\n\r\n");
    let unknown = client.request("throughline/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad_params = client.request("textDocument/hover", json!({ "textDocument": 5 }));
    assert_eq!(bad_params["error"]["code"], -32602);
    // Still answering.
    let symbols = client.call("workspace/symbol", json!({ "query": "fernhill" }));
    assert!(!symbols.as_array().expect("list").is_empty());
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn files_outside_the_root_are_ignored() {
    let site = SiteTest::example();
    let outside = SiteTest::new().file("stray.md", "---\nparent: nowhere\n---\n");
    let mut client = Client::start(site.root(), json!({}));
    let stray = uri(&outside.root().join("stray.md"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": stray, "languageId": "markdown", "version": 1, "text": "---\nparent: nowhere\n---\n" } }),
    );
    let hover = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": stray }, "position": { "line": 1, "character": 9 } }),
    );
    assert_eq!(hover, Value::Null);
    client.open(BET);
    client.diagnostics(BET, Some(1));
    assert!(
        !client
            .seen
            .iter()
            .any(|m| m["params"]["uri"] == stray.as_str()),
        "published for a file outside the root: {:#?}",
        client.seen
    );
}

#[test]
fn a_request_cancelled_before_it_starts_is_not_answered() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    // The edit makes the server analyse before it reads on, so the request
    // and its cancel are both waiting when it does.
    let uri = client.uri(BET);
    let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": format!("{text}\n") }] } });
    let hover = json!({ "jsonrpc": "2.0", "id": 500, "method": "textDocument/hover", "params": { "textDocument": { "uri": uri }, "position": { "line": 4, "character": 10 } } });
    let cancel = json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": 500 } });
    let bytes = [
        frame(&change.to_string()),
        frame(&hover.to_string()),
        frame(&cancel.to_string()),
    ]
    .concat();
    client.send_raw(&bytes);
    let answer = client.response(500);
    assert_eq!(answer["error"]["code"], -32800, "{answer}");
}

#[test]
fn the_server_exits_when_stdin_closes_and_on_exit() {
    let site = SiteTest::example();
    let client = Client::start(site.root(), json!({}));
    // Closed without shutdown: it stops, with 1 as the protocol asks for an exit without shutdown.
    assert_eq!(client.close_and_wait(), 1);
    let mut client = Client::start(site.root(), json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.close_and_wait(), 1);
    let client = Client::start(site.root(), json!({}));
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn nothing_is_written_to_disk() {
    let site = SiteTest::example();
    let before = crate::support::snapshot_dir(site.root());
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    client.change(BET, 2, &text.replace("ps-payouts", "ps-nowhere"));
    client.diagnostics(BET, Some(2));
    client.at("rename", BET, 1, 6, json!({ "newName": "bet-renamed" }));
    client.at("completion", BET, 4, 10, json!({}));
    assert_eq!(client.shut_down(), 0);
    assert_eq!(crate::support::snapshot_dir(site.root()), before);
}

#[test]
fn the_kept_commit_dates_are_read_never_written() {
    // `check` keeps each file's last commit date in the cache folder; the
    // server uses them but writes no file there either, not even when
    // HEAD has moved on since (where `check` would keep new ones).
    let site = SiteTest::example();
    let root = site.root();
    crate::support::git(root, &["init", "-q", "-b", "main"]);
    crate::support::git(root, &["add", "-A"]);
    crate::support::git(root, &["commit", "-q", "-m", "Strategy"]);
    let cache = tempfile::tempdir().expect("cache");
    let cache_dir = cache.path().to_string_lossy().into_owned();
    let env = [("THROUGHLINE_CACHE_DIR", cache_dir.as_str())];
    let run = site.run_with_env(&["check", "ROOT", "--today", "2026-11-24"], &env);
    assert!(run.code < 2, "{}", run.stderr);
    let kept = crate::support::snapshot_dir(cache.path());
    assert_eq!(kept.len(), 1, "check keeps the dates: {:?}", kept.keys());
    std::fs::write(root.join("notes.md"), "# Notes\n").expect("write");
    crate::support::git(root, &["add", "-A"]);
    crate::support::git(root, &["commit", "-q", "-m", "Notes"]);

    let mut client = Client::start_with_env(root, json!({}), &env);
    client.open(BET);
    client.diagnostics(BET, None);
    assert_eq!(client.shut_down(), 0);
    assert!(
        crate::support::snapshot_dir(cache.path()) == kept,
        "the cache folder is as check left it"
    );
}

#[test]
fn an_invalid_config_buffer_is_reported_and_the_last_analysis_kept() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    let config = client.open("throughline.yaml");
    assert!(client.diagnostics("throughline.yaml", Some(1)).is_empty());
    client.change("throughline.yaml", 2, &format!("{config}\nrulez: {{}}\n"));
    let shown = client.wait_for("showMessage", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);
    let found = client.diagnostics("throughline.yaml", Some(2));
    assert_eq!(codes(&found), ["config"], "{found:#?}");
    // Requests are still answered from the last analysis.
    let (line, ch) = position(&text, "ps-payouts\n");
    let definition = client.at("definition", BET, line, ch, json!({}));
    assert_eq!(
        definition["uri"],
        client.uri("products/ps-payouts.md").as_str()
    );
    // Fixed: the config's finding is cleared.
    client.change("throughline.yaml", 3, &config);
    assert!(client.diagnostics("throughline.yaml", Some(3)).is_empty());
}

/// The hover is Markdown an editor renders: a title, owner or message from
/// the repository is shown as text, never as a link, an image or HTML.
#[test]
fn hover_shows_what_a_document_says_and_renders_nothing_of_its_own() {
    let title = "@everyone <img src=x onerror=alert(1)> [click](http://evil)";
    let site = SiteTest::new()
        .file(
            "cs.md",
            format!("---\nid: cs\nkind: company-strategy\ntitle: {title:?}\nowner: \"![i](http://evil/i.png)\"\nreviewed: 2026-11-01\n---\n"),
        )
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n",
        );
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open("ps.md");
    let (line, ch) = position(&text, "cs\n");
    let hover = client.at("hover", "ps.md", line, ch, json!({}));
    let value = hover["contents"]["value"].as_str().expect("markdown");
    let mut shown = String::new();
    for event in pulldown_cmark::Parser::new_ext(value, pulldown_cmark::Options::all()) {
        use pulldown_cmark::{Event, Tag};
        match event {
            Event::Text(t) => shown.push_str(&t),
            Event::Start(Tag::Link { .. } | Tag::Image { .. })
            | Event::Html(_)
            | Event::InlineHtml(_) => panic!("{event:?} in {value}"),
            _ => {}
        }
    }
    let shown = shown.replace('\u{200b}', "");
    assert!(shown.contains(title), "{shown}");
    assert!(shown.contains("owner: ![i](http://evil/i.png)"), "{shown}");
}

/// Rename refuses what `check` would refuse on the new `id:`: here an id
/// longer than the build can write as a file name.
#[test]
fn rename_refuses_an_id_too_long_for_the_build() {
    let site = SiteTest::new().file("pages/p.md", "---\nid: p\ntitle: P\n---\nText.\n");
    let mut client = Client::start(site.root(), json!({}));
    client.open("pages/p.md");
    let rename = |client: &mut Client, new_name: &str| {
        client.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": client.uri("pages/p.md") }, "position": { "line": 1, "character": 4 }, "newName": new_name }),
        )
    };
    let refused = rename(&mut client, &"p".repeat(129));
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("129 bytes long; ids may be at most 128 bytes")),
        "{refused}"
    );
    let accepted = rename(&mut client, &"p".repeat(128));
    assert!(accepted["error"].is_null(), "{accepted}");
}

/// The day comes from the config the server holds, an unsaved buffer
/// included, as `check` would read it from the saved file: moving `as_of`
/// in the editor makes a review due, and moving it back clears the finding.
#[test]
fn an_unsaved_as_of_in_the_config_buffer_sets_the_day() {
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Archive\nas_of: 2026-07-01\n")
        .file(
            "ps-a.md",
            "---\nid: ps-a\nkind: product-strategy\nreviewed: 2026-06-01\n---\n# A\n",
        );
    let mut client = Client::start(site.root(), json!({}));
    client.open("ps-a.md");
    assert!(client.diagnostics("ps-a.md", Some(1)).is_empty());
    let config = client.open("throughline.yaml");
    client.change(
        "throughline.yaml",
        2,
        &config.replace("2026-07-01", "2027-06-01"),
    );
    let found = client.diagnostics("ps-a.md", Some(1));
    assert_eq!(codes(&found), ["stale"], "{found:#?}");
    client.change("throughline.yaml", 3, &config);
    assert!(client.diagnostics("ps-a.md", Some(1)).is_empty());
    assert_eq!(client.shut_down(), 0);
}

/// Renaming an id renames the `reviewed_against:` keys that name it, and
/// keeps drift exact: a stamp that was current on a document whose text the
/// rename changes (the renamed one's `id:`, a child's `parent:`) is current
/// after it, and one that was out of date stays out of date.
#[test]
fn rename_keeps_review_stamps_and_drift_exact() {
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n# Payouts\n\nSame-day.\n")
        .file("bets/bet-old.md", "---\nid: bet-old\nkind: bet\nparent: ps\nreviewed: 2026-11-01\n---\n# Old\n")
        .file("bets/bet-a.md", "---\nid: bet-a\nkind: bet\nparent: ps\nreviewed: 2026-11-01\n---\n# A\n")
        .file("objectives/obj-a.md", "---\nid: obj-a\nkind: objective\nparent: bet-a\nreviewed: 2026-11-01\n---\n# Objective\n");
    let review = |ids: &[&str]| {
        let mut args = vec!["review", "--root", "ROOT", "--today", "2026-11-24"];
        args.extend_from_slice(ids);
        let run = site.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
    };
    review(&["bet-old"]);
    // ps changes after bet-old's review: bet-old's stamp is out of date.
    let ps = std::fs::read_to_string(site.root().join("ps.md")).expect("ps");
    std::fs::write(
        site.root().join("ps.md"),
        ps.replace("Same-day.", "Next-day."),
    )
    .expect("write");
    review(&["bet-a", "obj-a"]);
    let drift = |site: &SiteTest| -> Vec<String> {
        let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
        run.json()
            .into_iter()
            .filter(|d| d["rule"] == "drift")
            .map(|d| d["doc"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(drift(&site), ["bet-old"]);

    let mut client = Client::start(site.root(), json!({}));
    client.open("ps.md");
    let edit = client.at("rename", "ps.md", 1, 5, json!({ "newName": "ps-payouts" }));
    let changes = edit["changes"].as_object().expect("changes");
    for (uri, edits) in changes {
        let path = uri.trim_start_matches("file://").replace("%2D", "-");
        let mut text = std::fs::read_to_string(&path).expect("read");
        let mut edits: Vec<&Value> = edits.as_array().expect("edits").iter().collect();
        // Each edit's range is in the text before any: apply from the end.
        edits.sort_by_key(|e| {
            std::cmp::Reverse((
                e["range"]["start"]["line"].as_u64(),
                e["range"]["start"]["character"].as_u64(),
            ))
        });
        for e in edits {
            text = apply(&text, e);
        }
        std::fs::write(&path, text).expect("write");
    }
    let bet = std::fs::read_to_string(site.root().join("bets/bet-a.md")).expect("bet");
    assert!(bet.contains("parent: ps-payouts\n"), "{bet}");
    assert!(bet.contains("reviewed_against: {ps-payouts: "), "{bet}");
    let old = std::fs::read_to_string(site.root().join("bets/bet-old.md")).expect("old");
    assert!(old.contains("reviewed_against: {ps-payouts: "), "{old}");
    assert_eq!(
        drift(&site),
        ["bet-old"],
        "the current stamps stay current (bet-a on ps, obj-a on bet-a), the old one stays old"
    );
}

#[test]
fn people_and_dependencies_complete_and_lead_to_their_documents() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(BET);
    // After `owner:`, the people by id, with their names.
    let (line, ch) = position(&text, "owner: Daniel Reyes");
    let people = client.at("completion", BET, line, ch + 7, json!({}));
    let ids = labels(&people);
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert!(ids.contains(&"daniel-reyes".to_string()), "{ids:?}");
    let items = people["items"].as_array().or(people.as_array()).unwrap();
    let daniel = items.iter().find(|i| i["label"] == "daniel-reyes").unwrap();
    assert_eq!(daniel["detail"], "Daniel Reyes · Product lead, payouts");
    // The owner, written by name, leads to the person; the person's
    // references include what they own.
    let found = client.at("definition", BET, line, ch + 9, json!({}));
    assert_eq!(found["uri"], client.uri("people/daniel-reyes.md").as_str());
    let refs = client.at(
        "references",
        "people/daniel-reyes.md",
        1,
        5,
        json!({ "context": { "includeDeclaration": false } }),
    );
    let from: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    assert!(from.contains(&client.uri(BET).as_str()), "{from:?}");
    // A `depends_on` id leads to what is waited on, and completes only what can be.
    let model = "work/w-forecast-model.md";
    let text = client.open(model);
    let (line, ch) = position(&text, "w-ledger-realtime,");
    let found = client.at("definition", model, line, ch + 2, json!({}));
    assert_eq!(
        found["uri"],
        client.uri("work/w-ledger-realtime.md").as_str()
    );
    let edited = text.replace("depends_on:\n", "depends_on: [\n");
    client.change(model, 2, &edited);
    let (line, ch) = position(&edited, "depends_on: [");
    let waits = labels(&client.at("completion", model, line, ch + 13, json!({})));
    assert!(
        waits.contains(&"obj-same-day-rate".to_string()),
        "{waits:?}"
    );
    assert!(
        waits.contains(&"w-ledger-realtime".to_string()),
        "{waits:?}"
    );
    assert!(
        !waits
            .iter()
            .any(|w| w.starts_with("m-") || w.starts_with("team-") || w == "daniel-reyes"),
        "{waits:?}"
    );
}

#[test]
fn completion_knows_the_fields_of_decisions_and_of_context() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let file = "decisions/dec-fallback-rail.md";
    let text = client.open(file);
    let (line, _) = position(&text, "status: accepted");
    let statuses = labels(&client.at("completion", file, line, 8, json!({})));
    assert_eq!(statuses, ["accepted", "proposed", "superseded"]);
    // `superseded_by:` offers decisions only; `decides:` any id.
    let edited = text.replacen(
        "owner: Daniel Reyes\n",
        "owner: Daniel Reyes\nsuperseded_by: dec\n",
        1,
    );
    client.change(file, 2, &edited);
    let (line, _) = position(&edited, "superseded_by: dec");
    let next = labels(&client.at("completion", file, line, 18, json!({})));
    assert_eq!(next, ["dec-single-rail"], "decisions other than itself");
    // A new line: the new fields are offered, a decision's own first.
    let edited = text.replacen("owner: Daniel Reyes\n", "owner: Daniel Reyes\nco\n", 1);
    client.change(file, 3, &edited);
    let (line, _) = position(&edited, "co\n");
    let names = labels(&client.at("completion", file, line, 2, json!({})));
    for field in ["constraints", "concluded"] {
        assert!(names.contains(&field.to_string()), "{field}: {names:?}");
    }
    // `fixed:` and `open:` belong to strategies, bets and objectives.
    for field in ["fixed", "open"] {
        assert!(!names.contains(&field.to_string()), "{field}: {names:?}");
    }
}

/// `fixed:` and `open:` are offered on the kinds that read them, and on
/// another kind `check`'s warning is at the field.
#[test]
fn fixed_and_open_complete_only_where_they_are_read() {
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    for (file, anchor, offered) in [
        ("bets/bet-cash-forecast.md", "owner: Priya Raman\n", true),
        ("objectives/obj-same-day-rate.md", "kind: objective\n", true),
        ("metrics/m-same-day-rate.md", "kind: metric\n", false),
    ] {
        let text = client.open(file);
        assert!(text.contains(anchor), "{file}");
        let edited = text.replacen(anchor, &format!("{anchor}fi\n"), 1);
        client.change(file, 2, &edited);
        let (line, _) = position(&edited, &format!("{anchor}fi\n"));
        let names = labels(&client.at("completion", file, line + 1, 2, json!({})));
        assert_eq!(
            names.contains(&"fixed".to_string()),
            offered,
            "{file}: {names:?}"
        );
    }
    let file = "work/w-ledger-realtime.md";
    let text = client.open(file);
    let edited = text.replacen("kind: work\n", "kind: work\nfixed: [Ledger first]\n", 1);
    client.change(file, 2, &edited);
    let found = client.diagnostics(file, Some(2));
    let warning = found
        .iter()
        .find(|d| d["code"] == "schema")
        .expect("a warning at `fixed`");
    let (line, _) = position(&edited, "fixed: [Ledger first]");
    assert_eq!(warning["range"]["start"]["line"], line, "{warning}");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("`fixed` is not read on a `work` document")),
        "{warning}"
    );
}

/// `tracks:` completes the trackers' keys and is checked as `check` checks
/// it: an entry no export has is a warning at the entry.
#[test]
fn tracks_completes_tracker_keys_and_an_unknown_entry_is_a_warning() {
    const OBJ: &str = "objectives/obj-launch-partner-api.md";
    let site = SiteTest::example();
    let mut client = Client::start(site.root(), json!({}));
    let text = client.open(OBJ);
    assert!(client
        .diagnostics(OBJ, Some(1))
        .iter()
        .all(|d| d["code"] != "tracker-export"));
    let (line, ch) = position(&text, "FERN-10]");
    let keys = labels(&client.at("completion", OBJ, line, ch, json!({})));
    assert!(keys.contains(&"FERN-10".to_string()), "{keys:?}");
    assert!(
        keys.contains(&"fernhill/payouts-app#211".to_string()),
        "{keys:?}"
    );
    let edited = text.replace("tracks: [FERN-10]", "tracks: [FERN-99]");
    client.change(OBJ, 2, &edited);
    let found = client.diagnostics(OBJ, Some(2));
    let warning = found
        .iter()
        .find(|d| d["code"] == "tracker-export")
        .expect("a warning");
    assert_eq!(warning["severity"], 2);
    let (line, character) = position(&edited, "FERN-99");
    assert_eq!(
        warning["range"]["start"],
        json!({ "line": line, "character": character })
    );
}
